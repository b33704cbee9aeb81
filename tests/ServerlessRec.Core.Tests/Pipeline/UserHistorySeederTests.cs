using ServerlessRec.Pipeline;
using ServerlessRec.Serving;
using ServerlessRec.Storage;

namespace ServerlessRec.Core.Tests.Pipeline;

public sealed class UserHistorySeederTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "srec-seed-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    [Fact]
    public async Task SeedAsync_TwiceFromTheSameLogs_StoresEachUsersNewestEventsOnce()
    {
        var data = TestDatasets.Build([("u1", "a", "view", 1), ("u1", "b", "skip", 2), ("u1", "c", "click", 3), ("u2", "a", "like", 1)]);
        var histories = new UserHistoryStore(new LocalFolderBlobStore(new StorageOptions { LocalRoot = _root }));

        var first = await UserHistorySeeder.SeedAsync(data, histories, maxEventsPerUser: 2);
        await UserHistorySeeder.SeedAsync(data, histories, maxEventsPerUser: 2);

        Assert.Equal(2, first);
        var u1 = await histories.ReadAsync("u1");
        Assert.Equal([("b", "skip"), ("c", "click")], u1.Events.Select(e => (e.ItemId, e.Type)));
        Assert.Single((await histories.ReadAsync("u2")).Events);
    }

    [Fact]
    public async Task SeedUsersAsync_UserWithANonFiniteValue_IsQuarantinedAndTheOthersSeeded()
    {
        // 1e39 parses as a double but is infinite as the dataset's float: its history cannot be written as JSON.
        var data = TestDatasets.Build([("u1", "a", "view", 1), ("u2", "b", "view", 1)], builder => builder.Add(new ServerlessRec.Events.InteractionEvent("poison", "a", "rating", TestDatasets.Start, 1e39)));
        var histories = new UserHistoryStore(new LocalFolderBlobStore(new StorageOptions { LocalRoot = _root }));

        var outcome = await UserHistorySeeder.SeedUsersAsync(data, histories, users: null);

        Assert.Equal(2, outcome.Seeded);
        var quarantined = Assert.Single(outcome.Quarantined);
        Assert.Equal((await histories.Hashers.GetAsync()).ForLogs("poison"), quarantined.UserHash);
        Assert.DoesNotContain("poison", quarantined.Reason, StringComparison.Ordinal);
        Assert.Single((await histories.ReadAsync("u1")).Events);
    }

    [Fact]
    public async Task SeedAsync_NothingNewForTheUsers_WritesNoHistoryBlob()
    {
        var data = TestDatasets.Build([("u1", "a", "view", 1), ("u2", "b", "view", 1)]);
        var store = new Core.Tests.Storage.FaultInjectingBlobStore(new LocalFolderBlobStore(new StorageOptions { LocalRoot = _root }));
        var histories = new UserHistoryStore(store);
        await UserHistorySeeder.SeedAsync(data, histories);
        var writes = store.Count("history write", c => c.Operation == Core.Tests.Storage.BlobOperation.Write && c.Container == ContainerNames.Users);

        var seeded = await UserHistorySeeder.SeedAsync(data, histories);

        Assert.Equal(2, seeded);
        Assert.Equal(0, writes.Matched);
    }
}
