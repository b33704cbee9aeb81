using Microsoft.Extensions.Time.Testing;
using ServerlessRec.Serving;

namespace ServerlessRec.Core.Tests.Serving;

public sealed class RecommenderServiceTests(ServingFixture fixture) : IClassFixture<ServingFixture>
{
    private static HistoryEvent View(string item, int minute, string type = "view") =>
        new() { ItemId = item, Type = type, Timestamp = TestDatasets.Start.AddDays(30).AddMinutes(minute) };

    private (RecommenderService Service, UserHistoryStore Histories) CreateSut()
    {
        var time = new FakeTimeProvider(TestDatasets.Start.AddDays(31));
        var histories = new UserHistoryStore(fixture.Store);
        return (new RecommenderService(new LiveModelProvider(fixture.Store, time), histories, time), histories);
    }

    [Fact]
    public async Task Recommend_UserWithNoHistory_GetsPopularItems()
    {
        var (sut, _) = CreateSut();

        var response = await sut.RecommendAsync(new RecommendationRequest { UserId = "brand-new", K = 5 });

        Assert.Equal(RecommendationSource.Popular, response.Source);
        Assert.Equal("v1", response.ModelVersion);
        Assert.Equal(5, response.Items.Count);
        Assert.True(response.Items.Zip(response.Items.Skip(1)).All(p => p.First.Score >= p.Second.Score));
    }

    [Fact]
    public async Task Recommend_OneNewStoredEvent_ChangesTheRankingWithoutRetraining()
    {
        var (sut, histories) = CreateSut();
        await histories.AppendAsync("switcher", [View("i1", 0), View("i2", 1), View("i3", 2)]);
        var before = await sut.RecommendAsync(new RecommendationRequest { UserId = "switcher", K = 10 });

        await histories.AppendAsync("switcher", [View("i35", 3)]);
        var after = await sut.RecommendAsync(new RecommendationRequest { UserId = "switcher", K = 10 });

        Assert.Equal(RecommendationSource.History, after.Source);
        Assert.NotEqual(before.Items.Select(i => i.ItemId), after.Items.Select(i => i.ItemId));
    }

    [Fact]
    public async Task Recommend_SeenSkippedAndExcludedItems_NeverAppear()
    {
        var (sut, histories) = CreateSut();
        await histories.AppendAsync("picky", [View("i1", 0), View("i2", 1), View("i4", 2, "skip")]);

        var response = await sut.RecommendAsync(new RecommendationRequest
        {
            UserId = "picky",
            K = 37,
            RecentEvents = [new RequestEvent { ItemId = "i3", Type = "click" }, new RequestEvent { ItemId = "i5", Type = "dislike" }],
            Filter = new RecommendationFilter { ExcludeItemIds = ["i6"], IncludeUnavailable = true },
        });

        var ids = response.Items.Select(i => i.ItemId).ToList();
        Assert.Equal(34, ids.Count);
        Assert.DoesNotContain("i1", ids);
        Assert.DoesNotContain("i2", ids);
        Assert.DoesNotContain("i3", ids);
        Assert.DoesNotContain("i4", ids);
        Assert.DoesNotContain("i5", ids);
        Assert.DoesNotContain("i6", ids);
    }

    [Fact]
    public async Task Recommend_RequestEventsOnly_ReportsRequestSourceAndUsesThem()
    {
        var (sut, _) = CreateSut();

        var response = await sut.RecommendAsync(new RecommendationRequest
        {
            UserId = "anonymous-session",
            K = 5,
            RecentEvents = [new RequestEvent { ItemId = "i30", Type = "view" }, new RequestEvent { ItemId = "i31", Type = "view" }],
        });

        Assert.Equal(RecommendationSource.Request, response.Source);

        // Clustered data: the right half (i20..i39) is one taste; most recommendations should stay there.
        var rightHalf = response.Items.Count(i => int.Parse(i.ItemId[1..], System.Globalization.CultureInfo.InvariantCulture) >= 20);
        Assert.True(rightHalf >= 4, $"only {rightHalf} of 5 from the user's taste");
    }

    [Fact]
    public async Task Recommend_CategoryFilter_IsHonoured()
    {
        var (sut, histories) = CreateSut();
        await histories.AppendAsync("filtered", [View("i1", 0), View("i2", 1)]);

        var response = await sut.RecommendAsync(new RecommendationRequest { UserId = "filtered", K = 10, Filter = new RecommendationFilter { Categories = ["right"] } });

        Assert.NotEmpty(response.Items);
        Assert.All(response.Items, i => Assert.True(int.Parse(i.ItemId[1..], System.Globalization.CultureInfo.InvariantCulture) >= 20, i.ItemId));
    }

    [Fact]
    public async Task Recommend_Explain_NamesHistoryItems()
    {
        var (sut, histories) = CreateSut();
        await histories.AppendAsync("curious", [View("i1", 0), View("i2", 1), View("i3", 2)]);

        var response = await sut.RecommendAsync(new RecommendationRequest { UserId = "curious", K = 3, Explain = true });

        Assert.All(response.Items, i => Assert.All(i.Because!, b => Assert.Contains(b, new[] { "i1", "i2", "i3" })));
        Assert.Contains(response.Items, i => i.Because!.Count > 0);
    }

    [Fact]
    public async Task Recommend_ExplorationShare_MixesInUnderExposedItems()
    {
        var (sut, histories) = CreateSut();
        await histories.AppendAsync("explorer", [View("i1", 0), View("i2", 1), View("i3", 2)]);
        var model = (await new LiveModelProvider(fixture.Store, TimeProvider.System).GetCurrentAsync())!;
        var lowerQuartile = model.Items.Select(i => i.Popularity).Order().ElementAt(model.Items.Count / 4);

        var response = await sut.RecommendAsync(new RecommendationRequest { UserId = "explorer", K = 10, Exploration = 0.2, Filter = new RecommendationFilter { IncludeUnavailable = true } });

        var explored = response.Items.Where(i => i.Exploration).ToList();
        Assert.Equal(10, response.Items.Count);
        Assert.Equal(2, explored.Count);
        Assert.All(explored, i => Assert.True(model.Items[model.IndexOf(i.ItemId) - 1].Popularity <= lowerQuartile));
        Assert.Equal(response.Items.Count, response.Items.Select(i => i.ItemId).Distinct().Count());
    }

    [Fact]
    public async Task LowerQuartilePopularity_LoadedModel_IsTheCatalogsLowerQuartileBuiltOnce()
    {
        using var model = await ServingModel.LoadAsync(fixture.Store, "v1");
        var expected = model.Items.Select(i => i.Popularity).Order().ElementAt(model.Items.Count / 4);

        var first = model.LowerQuartilePopularity;
        var again = model.LowerQuartilePopularity;

        Assert.Equal(expected, first);
        Assert.Equal(first, again);
    }

    [Theory]
    [InlineData(0, "k")]
    [InlineData(1000, "k")]
    public async Task Recommend_KOutOfRange_IsRejectedNamingTheField(int k, string field)
    {
        var (sut, _) = CreateSut();

        var error = await Assert.ThrowsAsync<RequestValidationException>(() => sut.RecommendAsync(new RecommendationRequest { UserId = "u", K = k }));

        Assert.Equal(field, error.Field);
    }

    [Fact]
    public async Task Recommend_ControlCharacterInUserId_IsRejected()
    {
        var (sut, _) = CreateSut();

        var error = await Assert.ThrowsAsync<RequestValidationException>(() => sut.RecommendAsync(new RecommendationRequest { UserId = "a\u0001b" }));

        Assert.Equal("userId", error.Field);
    }

    [Fact]
    public async Task Recommend_UnknownEventType_IsRejectedNamingTheEvent()
    {
        var (sut, _) = CreateSut();

        var error = await Assert.ThrowsAsync<RequestValidationException>(() => sut.RecommendAsync(new RecommendationRequest
        {
            UserId = "u",
            RecentEvents = [new RequestEvent { ItemId = "i1", Type = "teleport" }],
        }));

        Assert.Equal("recentEvents[0].type", error.Field);
    }

    [Fact]
    public async Task Similar_KnownItem_ExcludesItselfAndPrefersItsCluster()
    {
        var (sut, _) = CreateSut();

        var response = await sut.SimilarAsync("i25", 5, includeUnavailable: true);

        Assert.Equal(RecommendationSource.Item, response.Source);
        Assert.DoesNotContain(response.Items, i => i.ItemId == "i25");
        Assert.True(response.Items.Count(i => int.Parse(i.ItemId[1..], System.Globalization.CultureInfo.InvariantCulture) >= 20) >= 4);
    }

    [Fact]
    public async Task Similar_UnknownItem_IsNotFound()
    {
        var (sut, _) = CreateSut();

        await Assert.ThrowsAsync<NotFoundException>(() => sut.SimilarAsync("nope", 5));
    }
}
