using System.Text;
using Microsoft.Extensions.Time.Testing;
using ServerlessRec.Serving;
using ServerlessRec.Storage;

namespace ServerlessRec.Core.Tests.Serving;

public sealed class ForgottenUsersTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "srec-forget-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    [Fact]
    public async Task ForgetAsync_UserWithHistory_WritesAKeyedTombstoneAndEmptiesTheHistory()
    {
        var store = new LocalFolderBlobStore(new StorageOptions { LocalRoot = _root });
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 3, 4, 5, 6, 7, TimeSpan.Zero));
        var histories = new UserHistoryStore(store);
        await histories.AppendAsync("alice", [new HistoryEvent { ItemId = "i1", Type = "view", Timestamp = time.GetUtcNow() }]);
        var forgotten = new ForgottenUsers(store, histories, time);

        var deleted = await forgotten.ForgetAsync("alice");

        Assert.True(deleted);
        Assert.Empty((await histories.ReadAsync("alice")).Events);
        var tombstone = await forgotten.ReadAsync("alice");
        Assert.Equal(time.GetUtcNow(), tombstone!.ForgottenAt);
        var hasher = await histories.Hashers.GetAsync();
        var blob = await store.ReadAsync(ContainerNames.Users, ForgottenUsers.TombstoneName(hasher, "alice"));
        Assert.DoesNotContain("alice", Encoding.UTF8.GetString(blob!.Content.Span), StringComparison.Ordinal);
        Assert.StartsWith(ForgottenUsers.Prefix, ForgottenUsers.TombstoneName(hasher, "alice"), StringComparison.Ordinal);
    }
}
