using System.Text;
using System.Text.Json;
using ServerlessRec.Serving;
using ServerlessRec.Storage;

namespace ServerlessRec.Core.Tests.Serving;

/// <summary>Data written before the keyed hash (histories named by the escaped id, SHA-256 tombstones) survives the upgrade.</summary>
public sealed class LegacyUserDataTests : IDisposable
{
    private static readonly DateTimeOffset ForgetTime = new(2026, 6, 1, 12, 0, 0, TimeSpan.Zero);
    private readonly string _root = Path.Combine(Path.GetTempPath(), "srec-legacy-" + Guid.NewGuid().ToString("N"));
    private readonly LocalFolderBlobStore _store;

    public LegacyUserDataTests() => _store = new LocalFolderBlobStore(new StorageOptions { LocalRoot = _root });

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    private Task<string> WriteLegacyHistoryAsync(string userId, params string[] items) =>
        _store.WriteAsync(ContainerNames.Users, UserHistoryStore.LegacyBlobName(userId), Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new
        {
            userId,
            events = items.Select((item, i) => new { itemId = item, type = "view", timestamp = ForgetTime.AddDays(-10 + i) }),
        })));

    private Task<string> WriteLegacyTombstoneAsync(string userId) =>
        _store.WriteAsync(ContainerNames.Users, ForgottenUsers.LegacyTombstoneName(userId), Encoding.UTF8.GetBytes(
            $$"""{"userIdSha256":"{{UserIdHasher.LegacySha256(userId)}}","forgottenAt":"{{ForgetTime:O}}"}"""));

    [Fact]
    public async Task ReadAsync_LegacyHistoryOnly_ReturnsItsEvents()
    {
        await WriteLegacyHistoryAsync("u/1 é", "i1", "i2");

        var history = await new UserHistoryStore(_store).ReadAsync("u/1 é");

        Assert.Equal(["i1", "i2"], history.Events.Select(e => e.ItemId));
    }

    [Fact]
    public async Task AppendAsync_LegacyHistory_MovesItUnderTheKeyedName()
    {
        await WriteLegacyHistoryAsync("u/1 é", "i1");
        var histories = new UserHistoryStore(_store);

        await histories.AppendAsync("u/1 é", [new HistoryEvent { ItemId = "i9", Type = "view", Timestamp = ForgetTime }]);

        var hasher = await histories.Hashers.GetAsync();
        Assert.Null(await _store.ReadAsync(ContainerNames.Users, UserHistoryStore.LegacyBlobName("u/1 é")));
        Assert.NotNull(await _store.ReadAsync(ContainerNames.Users, UserHistoryStore.BlobName(hasher, "u/1 é")));
        Assert.Equal(["i1", "i9"], (await histories.ReadAsync("u/1 é")).Events.Select(e => e.ItemId));
    }

    [Fact]
    public async Task ForgetAsync_LegacyHistory_IsDeletedToo()
    {
        await WriteLegacyHistoryAsync("carol", "i1");
        var histories = new UserHistoryStore(_store);

        Assert.True(await new ForgottenUsers(_store, histories, TimeProvider.System).ForgetAsync("carol"));

        Assert.Null(await _store.ReadAsync(ContainerNames.Users, UserHistoryStore.LegacyBlobName("carol")));
        Assert.Empty((await histories.ReadAsync("carol")).Events);
    }

    [Fact]
    public async Task LegacyTombstone_AfterTheUpgrade_StillExcludesTheUserEverywhere()
    {
        await WriteLegacyTombstoneAsync("dave@example.com");
        var histories = new UserHistoryStore(_store);

        var all = await ForgottenUsers.ReadAllAsync(_store);
        var appended = await histories.AppendAsync("dave@example.com", [new HistoryEvent { ItemId = "i1", Type = "view", Timestamp = ForgetTime.AddDays(-1) }]);
        var tombstone = await new ForgottenUsers(_store, histories, TimeProvider.System).ReadAsync("dave@example.com");

        Assert.Equal(1, all.Count);
        Assert.Equal(ForgetTime, all.ForgottenAt("dave@example.com"));
        Assert.Null(all.ForgottenAt("erin@example.com"));
        Assert.Empty(appended.Events);
        Assert.Equal(ForgetTime, tombstone!.ForgottenAt);
    }
}
