using ServerlessRec.Serving;
using ServerlessRec.Storage;

namespace ServerlessRec.Core.Tests.Serving;

public sealed class UserHistoryStoreTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "srec-users-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    private UserHistoryStore CreateSut(int capacity = UserHistoryStore.DefaultCapacity) =>
        new(new LocalFolderBlobStore(new StorageOptions { LocalRoot = _root }), capacity);

    private static HistoryEvent Event(string item, int minute) =>
        new() { ItemId = item, Type = "view", Timestamp = TestDatasets.Start.AddMinutes(minute) };

    [Fact]
    public async Task AppendAsync_FiftyParallelWritersForOneUser_LoseNoEvent()
    {
        var sut = CreateSut();

        await Task.WhenAll(Enumerable.Range(0, 50).Select(i => Task.Run(() => sut.AppendAsync("u/1 é", [Event($"item-{i}", i)]))));

        var history = await sut.ReadAsync("u/1 é");
        Assert.Equal(Enumerable.Range(0, 50).Select(i => $"item-{i}"), history.Events.Select(e => e.ItemId));
    }

    [Fact]
    public async Task AppendAsync_OverCapacity_KeepsTheNewestEvents()
    {
        var sut = CreateSut(capacity: 3);

        await sut.AppendAsync("u", [Event("a", 1), Event("b", 2)]);
        await sut.AppendAsync("u", [Event("d", 4), Event("c", 3)]);

        Assert.Equal(["b", "c", "d"], (await sut.ReadAsync("u")).Events.Select(e => e.ItemId));
    }

    [Fact]
    public async Task DeleteAsync_ExistingUser_RemovesTheHistory()
    {
        var sut = CreateSut();
        await sut.AppendAsync("gone", [Event("a", 1)]);

        Assert.True(await sut.DeleteAsync("gone"));

        Assert.Empty((await sut.ReadAsync("gone")).Events);
        Assert.False(await sut.DeleteAsync("gone"));
    }
}
