using System.Net;
using ServerlessRec.Cli.Tests.Commands;

namespace ServerlessRec.Client.Tests;

/// <summary>
/// Every serving, privacy and catalog call of the typed client against the real <c>serve</c> host, end to end: the
/// request the client writes is one the server accepts, and the answer reads back into the client's types.
/// </summary>
public sealed class ServerlessRecClientServingTests(ServeHost host) : IClassFixture<ServeHost>
{
    private readonly IServerlessRecClient _client = host.CreateClient();

    [Fact]
    public async Task RecommendAsync_UserWithoutHistory_ReturnsKPopularItemsFromTheLiveModel()
    {
        var response = await _client.RecommendAsync(new RecommendationRequest { UserId = NewUser(), K = 5 });

        Assert.Equal("v2", response.ModelVersion);
        Assert.Equal(RecommendationSources.Popular, response.Source);
        Assert.Equal(5, response.Items.Count);
        Assert.All(response.Items, item => Assert.StartsWith("i", item.ItemId, StringComparison.Ordinal));
    }

    [Fact]
    public async Task RecommendAsync_RecentEventsAndFilter_RanksFromTheRequestWithinTheFilter()
    {
        var response = await _client.RecommendAsync(new RecommendationRequest
        {
            UserId = NewUser(),
            K = 3,
            RecentEvents = [new RecentEvent { ItemId = "i1", Type = "purchase" }, new RecentEvent { ItemId = "i2", Type = "view", Timestamp = DateTimeOffset.UtcNow.AddMinutes(-1) }],
            Filter = new RecommendationFilter { ExcludeItemIds = ["i3"] },
            Explain = true,
        });

        Assert.Equal(RecommendationSources.Request, response.Source);
        Assert.Equal(3, response.Items.Count);
        Assert.DoesNotContain(response.Items, item => item.ItemId is "i1" or "i2" or "i3");
        Assert.All(response.Items, item => Assert.NotEmpty(item.Because!));
    }

    [Fact]
    public async Task PostEventsAsync_NewUser_NextRecommendationComesFromTheEvents()
    {
        var user = NewUser();
        var before = await _client.RecommendAsync(new RecommendationRequest { UserId = user, K = 5 });
        Assert.Equal(RecommendationSources.Popular, before.Source);
        var liked = before.Items.Take(3).Select(i => i.ItemId).ToList();

        var posted = await _client.PostEventsAsync(liked.Select(item => new UserEvent { UserId = user, ItemId = item, Type = "purchase" }).ToList());

        Assert.Equal(3, posted.Accepted);
        Assert.Equal(1, posted.Users);
        Assert.False(posted.Replayed);
        Assert.NotEmpty(posted.IdempotencyKey);
        var after = await _client.RecommendAsync(new RecommendationRequest { UserId = user, K = 5 });
        Assert.Equal(RecommendationSources.History, after.Source);
        Assert.DoesNotContain(after.Items, item => liked.Contains(item.ItemId));
    }

    [Fact]
    public async Task PostEventsAsync_SameKeyTwice_SecondIsReplayedAndStoredOnce()
    {
        var user = NewUser();
        UserEvent[] events = [new UserEvent { UserId = user, ItemId = "i2", Type = "view" }];
        var key = "order-" + Guid.NewGuid().ToString("N");

        var first = await _client.PostEventsAsync(events, key);
        var second = await _client.PostEventsAsync(events, key);

        Assert.False(first.Replayed);
        Assert.True(second.Replayed);
        Assert.Equal(key, second.IdempotencyKey);
        Assert.Equal(1, await host.LoggedEventsAsync(user));
    }

    [Fact]
    public async Task RecommendAsync_KOutOfRange_ThrowsValidationExceptionNamingK()
    {
        var error = await Assert.ThrowsAsync<ServerlessRecValidationException>(() => _client.RecommendAsync(new RecommendationRequest { UserId = "u1", K = 0 }));

        Assert.Equal(HttpStatusCode.BadRequest, error.Status);
        Assert.Equal("k", error.Field);
        Assert.Contains("k must be between 1 and", error.Detail, StringComparison.Ordinal);
        Assert.Contains("(field: k)", error.Message, StringComparison.Ordinal);
        Assert.Contains("POST /api/recommendations", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PostEventsAsync_UnknownEventType_ThrowsValidationExceptionNamingTheEventAndStoresNothing()
    {
        var user = NewUser();

        var error = await Assert.ThrowsAsync<ServerlessRecValidationException>(() => _client.PostEventsAsync(
        [
            new UserEvent { UserId = user, ItemId = "i1", Type = "view" },
            new UserEvent { UserId = user, ItemId = "i2", Type = "teleport" },
        ]));

        Assert.Equal("events[1].type", error.Field);
        Assert.NotNull(error.Problem!.IdempotencyKey);
        Assert.Equal(0, await host.LoggedEventsAsync(user));
    }

    [Fact]
    public async Task GetSimilarItemsAsync_KnownItem_ReturnsOtherItemsByVector()
    {
        var similar = await _client.GetSimilarItemsAsync("i1", k: 4);

        Assert.Equal(RecommendationSources.Item, similar.Source);
        Assert.Equal(4, similar.Items.Count);
        Assert.DoesNotContain(similar.Items, item => item.ItemId == "i1");
    }

    [Theory]
    [InlineData("nope")]
    [InlineData("a/b%c?d&e")]
    public async Task GetSimilarItemsAsync_UnknownItem_ThrowsNotFoundNamingItemId(string itemId)
    {
        var error = await Assert.ThrowsAsync<ServerlessRecNotFoundException>(() => _client.GetSimilarItemsAsync(itemId));

        Assert.Equal("itemId", error.Field);
        Assert.Contains(itemId, error.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetHealthAsync_ModelLive_IsOkWithTheLiveVersion()
    {
        var health = await _client.GetHealthAsync();

        Assert.Equal("ok", health.Status);
        Assert.Equal("v2", health.ModelVersion);
        Assert.Null(health.Reasons);
    }

    [Fact]
    public async Task PrivacyCalls_PostedUser_VectorExportThenForgetRemoveTheHistory()
    {
        var user = NewUser();
        await _client.PostEventsAsync([new UserEvent { UserId = user, ItemId = "i4", Type = "like", Timestamp = KeptVersions.Start.AddDays(3) }]);

        var vector = await _client.GetUserVectorAsync(user);
        var export = await _client.ExportUserAsync(user);
        var forgotten = await _client.ForgetUserAsync(user);
        var afterForget = await _client.ExportUserAsync(user);

        Assert.Equal("v2", vector.ModelVersion);
        Assert.Equal(1, vector.HistoryLength);
        Assert.Equal(8, vector.Vector.Count);
        var stored = Assert.Single(export.Events);
        Assert.Equal(("i4", "like", KeptVersions.Start.AddDays(3)), (stored.ItemId, stored.Type, stored.Timestamp));
        Assert.Null(export.ForgottenAt);
        Assert.NotEmpty(export.Blobs);
        Assert.True(forgotten.HistoryDeleted);
        Assert.NotNull(afterForget.ForgottenAt);
        Assert.Empty(afterForget.Events);
        var error = await Assert.ThrowsAsync<ServerlessRecNotFoundException>(() => _client.GetUserVectorAsync(user));
        Assert.Equal("userId", error.Field);
    }

    [Fact]
    public async Task CatalogCalls_PutThenDelete_ItemIsWrittenThenNeverReturned()
    {
        var put = await _client.PutItemsAsync(
        [
            new CatalogItem { ItemId = "i18", Title = "Eighteen", Categories = ["left"], Tags = ["t1"], Attributes = System.Text.Json.JsonDocument.Parse("""{"price":3}""").RootElement },
        ]);
        var deleted = await _client.DeleteItemAsync("i19");

        Assert.Equal(1, put.Accepted);
        Assert.StartsWith("catalog/updates/", put.Update, StringComparison.Ordinal);
        Assert.Equal(1, deleted.Accepted);
        await Assert.ThrowsAsync<ServerlessRecNotFoundException>(() => _client.GetSimilarItemsAsync("i19"));
        var similar = await _client.GetSimilarItemsAsync("i15", k: 19, includeUnavailable: true);
        Assert.DoesNotContain(similar.Items, item => item.ItemId == "i19");
    }

    [Fact]
    public async Task PutItemsAsync_BadCategory_ThrowsValidationExceptionNamingTheItemField()
    {
        var error = await Assert.ThrowsAsync<ServerlessRecValidationException>(() => _client.PutItemsAsync(
        [
            new CatalogItem { ItemId = "ok" },
            new CatalogItem { ItemId = "bad", Categories = ["fine", new string('x', 200)] },
        ]));

        Assert.Equal("items[1].categories[1]", error.Field);
    }

    [Fact]
    public async Task GetStatusAsync_TwoKeptVersions_ShowsTheLivePointerAndBothVersionsWithMetrics()
    {
        var status = await _client.GetStatusAsync(runs: 5);

        Assert.Equal("v2", status.Live!.Version);
        Assert.Equal(new[] { "v2", "v1" }, status.Versions.Select(v => v.Version));
        Assert.True(status.Versions[0].Live);
        Assert.Equal(0.25, status.Versions[0].Metrics["validation.model"].NdcgAt10);
        Assert.Equal(8, status.Versions[0].Dimensions);
    }

    private static string NewUser() => "client-" + Guid.NewGuid().ToString("N")[..10];
}
