using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using ServerlessRec.Core.Tests.Http;
using ServerlessRec.Serving;
using ServerlessRec.Storage;

namespace ServerlessRec.Core.Tests.Serving;

/// <summary>A forgotten user's events at or before the forget time never come back, through any write path.</summary>
public sealed class ForgetSticksTests(ServingFixture fixture) : IClassFixture<ServingFixture>, IDisposable
{
    private static readonly DateTimeOffset ForgetTime = new(2026, 6, 1, 12, 0, 0, TimeSpan.Zero);
    private readonly string _root = Path.Combine(Path.GetTempPath(), "srec-forget-sticks-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    private (LocalFolderBlobStore Store, UserHistoryStore Histories, ForgottenUsers Forgotten) CreateSut()
    {
        var store = new LocalFolderBlobStore(new StorageOptions { LocalRoot = _root });
        var histories = new UserHistoryStore(store);
        return (store, histories, new ForgottenUsers(store, histories, new FakeTimeProvider(ForgetTime)));
    }

    private static HistoryEvent Event(string item, DateTimeOffset at) => new() { ItemId = item, Type = "view", Timestamp = at };

    [Fact]
    public async Task AppendAsync_OldEventsAfterForget_AreDroppedAndLaterOnesStartANewProfile()
    {
        var (_, histories, forgotten) = CreateSut();
        var old = Event("i1", new DateTimeOffset(2020, 1, 1, 0, 0, 0, TimeSpan.Zero));
        await histories.AppendAsync("alice", [old]);
        await forgotten.ForgetAsync("alice");

        var reposted = await histories.AppendAsync("alice", [old, Event("i2", ForgetTime)]);
        var afterwards = await histories.AppendAsync("alice", [Event("i3", ForgetTime.AddSeconds(1)), old]);

        Assert.Empty(reposted.Events);
        Assert.Equal(["i3"], afterwards.Events.Select(e => e.ItemId));
        var stored = await histories.ReadAsync("alice");
        Assert.Equal(["i3"], stored.Events.Select(e => e.ItemId));
        Assert.Equal(ForgetTime, stored.ForgottenAt);
    }

    [Fact]
    public async Task ForgetAsync_History_IsReplacedByAMarkerThatDoesNotNameTheUser()
    {
        var (store, histories, forgotten) = CreateSut();
        await histories.AppendAsync("alice@example.com", [Event("i1", ForgetTime.AddDays(-1))]);

        Assert.True(await forgotten.ForgetAsync("alice@example.com"));

        var hasher = await histories.Hashers.GetAsync();
        var blob = await store.ReadAsync(ContainerNames.Users, UserHistoryStore.BlobName(hasher, "alice@example.com"));
        using var marker = JsonDocument.Parse(blob!.Content);
        Assert.Equal(ForgetTime, marker.RootElement.GetProperty("forgottenAt").GetDateTimeOffset());
        Assert.Equal(0, marker.RootElement.GetProperty("events").GetArrayLength());
        Assert.False(marker.RootElement.TryGetProperty("userId", out _));
        Assert.DoesNotContain("alice", Encoding.UTF8.GetString(blob.Content.Span), StringComparison.Ordinal);
        Assert.False(await forgotten.ForgetAsync("alice@example.com"));
    }

    [Fact]
    public async Task PostEvents_RepostOfAnOldEventAfterForget_HistoryStaysEmptyAndVector404()
    {
        var user = "repost-" + Guid.NewGuid().ToString("N");
        using var harness = new EndpointHarness(fixture.Store, new FakeTimeProvider(ForgetTime));
        var post = $$"""{"events":[{"userId":"{{user}}","itemId":"i1","type":"view","timestamp":"2020-01-01T00:00:00Z"}]}""";
        var route = new Dictionary<string, string> { ["userId"] = user };

        var first = await harness.SendAsync("PostEvents", post);
        var before = await harness.SendAsync("UserVector", routeValues: route);
        var forget = await harness.SendAsync("ForgetUser", routeValues: route);
        var again = await harness.SendAsync("PostEvents", post);
        var after = await harness.SendAsync("UserVector", routeValues: route);

        Assert.Equal([202, 200, 200, 202, 404], new[] { first, before, forget, again, after }.Select(r => r.Status));
        Assert.Empty((await new UserHistoryStore(fixture.Store).ReadAsync(user)).Events);
    }

    [Fact]
    public async Task PostEvents_EventDatedAfterForget_StartsANewProfile()
    {
        var user = "returns-" + Guid.NewGuid().ToString("N");
        var time = new FakeTimeProvider(ForgetTime);
        using var harness = new EndpointHarness(fixture.Store, time);
        var route = new Dictionary<string, string> { ["userId"] = user };
        await harness.SendAsync("PostEvents", $$"""{"events":[{"userId":"{{user}}","itemId":"i1","type":"view","timestamp":"2026-05-01T00:00:00Z"}]}""");
        await harness.SendAsync("ForgetUser", routeValues: route);
        time.Advance(TimeSpan.FromMinutes(5));

        var posted = await harness.SendAsync("PostEvents", $$"""{"events":[{"userId":"{{user}}","itemId":"i2","type":"view"},{"userId":"{{user}}","itemId":"i1","type":"view","timestamp":"2026-05-01T00:00:00Z"}]}""");
        var vector = await harness.SendAsync("UserVector", routeValues: route);

        Assert.Equal(202, posted.Status);
        Assert.Equal(200, vector.Status);
        Assert.Equal(["i2"], (await new UserHistoryStore(fixture.Store).ReadAsync(user)).Events.Select(e => e.ItemId));
    }

    [Fact]
    public async Task AppendAsync_TombstoneWithoutMarker_DropsOldEvents()
    {
        // A forget whose marker write failed after the tombstone was written: the first write of a history reads the tombstone.
        var (store, histories, _) = CreateSut();
        var hasher = await histories.Hashers.GetAsync();
        var tombstone = new ForgottenUserTombstone { UserIdHmac = hasher.Hash("bob"), ForgottenAt = ForgetTime };
        await store.WriteAsync(ContainerNames.Users, ForgottenUsers.TombstoneName(hasher, "bob"), JsonSerializer.SerializeToUtf8Bytes(tombstone));

        var history = await histories.AppendAsync("bob", [Event("i1", ForgetTime.AddDays(-3)), Event("i2", ForgetTime.AddDays(1))]);

        Assert.Equal(["i2"], history.Events.Select(e => e.ItemId));
        Assert.Equal(ForgetTime, (await histories.ReadAsync("bob")).ForgottenAt);
    }
}
