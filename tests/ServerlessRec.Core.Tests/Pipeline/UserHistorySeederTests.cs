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
}
