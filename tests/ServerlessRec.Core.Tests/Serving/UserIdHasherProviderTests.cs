using System.Text;
using ServerlessRec.Serving;
using ServerlessRec.Storage;

namespace ServerlessRec.Core.Tests.Serving;

public sealed class UserIdHasherProviderTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "srec-key-" + Guid.NewGuid().ToString("N"));
    private readonly LocalFolderBlobStore _store;

    public UserIdHasherProviderTests() => _store = new LocalFolderBlobStore(new StorageOptions { LocalRoot = _root });

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    [Fact]
    public async Task LoadOrCreateAsync_NoKey_CreatesA32ByteKeyBlobThatLaterLoadsReuse()
    {
        var first = await UserIdHasherProvider.LoadOrCreateAsync(_store);
        var second = await new UserIdHasherProvider(_store).GetAsync();

        var key = await _store.ReadAsync(ContainerNames.Keys, UserIdHasherProvider.KeyBlobName);
        Assert.Equal(UserIdHasher.KeyLength, key!.Content.Length);
        Assert.Equal(first.Hash("u42"), second.Hash("u42"));
    }

    [Fact]
    public async Task LoadOrCreateAsync_ConcurrentFirstStarts_AllHashAlike()
    {
        var hashers = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() => UserIdHasherProvider.LoadOrCreateAsync(_store))));

        Assert.Single(hashers.Select(h => h.Hash("u42")).Distinct());
    }

    [Fact]
    public async Task Hash_GuessableId_IsNeitherItsSha256NorTheSameUnderAnotherDeploymentsKey()
    {
        var here = await UserIdHasherProvider.LoadOrCreateAsync(_store);
        var elsewhere = await UserIdHasherProvider.LoadOrCreateAsync(new LocalFolderBlobStore(new StorageOptions { LocalRoot = Path.Combine(_root, "other") }));

        Assert.NotEqual(UserIdHasher.LegacySha256("u42"), here.Hash("u42"));
        Assert.NotEqual(elsewhere.Hash("u42"), here.Hash("u42"));
        Assert.Matches("^[0-9a-f]{64}$", here.Hash("u42"));
    }

    [Fact]
    public async Task LoadOrCreateAsync_KeyLostAfterKeyedTombstonesWereWritten_RefusesToCreateANewOne()
    {
        var histories = new UserHistoryStore(_store);
        await new ForgottenUsers(_store, histories, TimeProvider.System).ForgetAsync("alice");
        await _store.DeleteAsync(ContainerNames.Keys, UserIdHasherProvider.KeyBlobName);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => UserIdHasherProvider.LoadOrCreateAsync(_store));

        Assert.Contains("restore the key blob", error.Message, StringComparison.Ordinal);
        Assert.Null(await _store.ReadAsync(ContainerNames.Keys, UserIdHasherProvider.KeyBlobName));
    }

    [Fact]
    public async Task LoadOrCreateAsync_OnlyLegacyTombstones_CreatesTheKey()
    {
        await _store.WriteAsync(ContainerNames.Users, ForgottenUsers.LegacyTombstoneName("old"), Encoding.UTF8.GetBytes($$"""{"userIdSha256":"{{UserIdHasher.LegacySha256("old")}}","forgottenAt":"2025-01-01T00:00:00Z"}"""));

        var hasher = await UserIdHasherProvider.LoadOrCreateAsync(_store);

        Assert.NotNull(hasher);
    }

    [Fact]
    public async Task LoadOrCreateAsync_KeyOfTheWrongLength_IsInvalidData()
    {
        await _store.WriteAsync(ContainerNames.Keys, UserIdHasherProvider.KeyBlobName, new byte[16]);

        await Assert.ThrowsAsync<InvalidDataException>(() => UserIdHasherProvider.LoadOrCreateAsync(_store));
    }
}
