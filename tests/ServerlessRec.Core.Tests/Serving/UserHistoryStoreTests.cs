using System.Text;
using ServerlessRec.Core.Tests.Storage;
using ServerlessRec.Events;
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
    public async Task AppendAsync_ManySkipsAfterThePositivesWithEventTypes_KeepsTheNewestPositivesUpToTheCapacity()
    {
        var sut = new UserHistoryStore(new LocalFolderBlobStore(new StorageOptions { LocalRoot = _root }), capacity: 3, types: new EventTypeOptions());
        HistoryEvent Skip(string item, int minute) => Event(item, minute) with { Type = "skip" };

        await sut.AppendAsync("u", [Event("a", 1), Event("b", 2), Event("c", 3), Event("d", 4)]);
        await sut.AppendAsync("u", [Skip("s1", 5), Skip("s2", 6), Skip("s3", 7), Skip("s4", 8)]);

        // Training's history window reads positives only: skips must not push them out (without event types they would).
        Assert.Equal(["b", "c", "d", "s2", "s3", "s4"], (await sut.ReadAsync("u")).Events.Select(e => e.ItemId));
    }

    [Fact]
    public async Task AppendAsync_OnlyEventsAlreadyStored_DoesNotRewriteTheBlob()
    {
        var store = new LocalFolderBlobStore(new StorageOptions { LocalRoot = _root });
        var sut = new UserHistoryStore(store);
        await sut.AppendAsync("u", [Event("a", 1), Event("b", 2)]);
        var name = UserHistoryStore.BlobName(await sut.Hashers.GetAsync(), "u");
        var before = (await store.GetPropertiesAsync(ContainerNames.Users, name))!.ETag;

        var history = await sut.AppendAsync("u", [Event("b", 2), Event("a", 1)]);

        Assert.Equal(["a", "b"], history.Events.Select(e => e.ItemId));
        Assert.Equal(before, (await store.GetPropertiesAsync(ContainerNames.Users, name))!.ETag);
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

    [Fact]
    public async Task AppendAsync_HistoryChangingUnderEveryAttempt_FailsAfterTheBoundedAttemptsNamingTheUserByHash()
    {
        var store = new FaultInjectingBlobStore(new LocalFolderBlobStore(new StorageOptions { LocalRoot = _root }));
        var races = store.Fail("lost ETag race", c => c.Operation == BlobOperation.Write && c.Container == ContainerNames.Users, exception: c => new BlobConditionFailedException($"{c.Name} changed"));
        var sut = new UserHistoryStore(store, maxAttempts: 5);

        var error = await Assert.ThrowsAsync<BlobConditionFailedException>(() => sut.AppendAsync("busy-user", [Event("a", 1), Event("b", 2)]));

        Assert.Equal(5, races.Matched);
        Assert.Contains("5 write attempts", error.Message, StringComparison.Ordinal);
        Assert.Contains((await sut.Hashers.GetAsync()).ForLogs("busy-user"), error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("busy-user", error.Message, StringComparison.Ordinal);
        Assert.Empty((await CreateSut().ReadAsync("busy-user")).Events);
    }

    [Fact]
    public async Task ReadAsync_DamagedStoredHistory_IsInvalidDataNamingTheUserByHashOnly()
    {
        var store = new LocalFolderBlobStore(new StorageOptions { LocalRoot = _root });
        var hasher = await UserIdHasherProvider.LoadOrCreateAsync(store);
        await store.WriteAsync(ContainerNames.Users, UserHistoryStore.BlobName(hasher, "alice@example.com"), Encoding.UTF8.GetBytes("{\"userId\":\"alice@example.com\",\"events\":[{"));

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => CreateSut().ReadAsync("alice@example.com"));

        Assert.Contains(hasher.ForLogs("alice@example.com"), error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("alice", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void BlobName_KeyedHashOfTheId_SpreadByItsFirstByte()
    {
        var hasher = new UserIdHasher(Enumerable.Range(0, UserIdHasher.KeyLength).Select(i => (byte)i).ToArray());
        var hash = hasher.Hash("u/1 é");

        Assert.Equal($"{hash[..2]}/{hash}.json", UserHistoryStore.BlobName(hasher, "u/1 é"));
        Assert.Matches("^[0-9a-f]{64}$", hash);
        Assert.NotEqual(UserIdHasher.LegacySha256("u/1 é"), hash);
    }
}
