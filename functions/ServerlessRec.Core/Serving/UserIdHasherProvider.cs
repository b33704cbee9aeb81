using System.Security.Cryptography;
using ServerlessRec.Storage;

namespace ServerlessRec.Serving;

/// <summary>
/// Loads the deployment's user id key once and hands out its <see cref="UserIdHasher"/>. The key is
/// <see cref="UserIdHasher.KeyLength"/> random bytes in the blob <see cref="KeyBlobName"/> of the
/// <see cref="ContainerNames.Keys"/> container, read like every other blob (the app's managed identity in Azure, the
/// local folder in <c>serve</c> and the CLI); it is never put in settings or logs. The first process that finds no key
/// creates it with a create-only write; a process that loses that race reads the winner's key, so every process of a
/// deployment hashes alike.
/// </summary>
/// <remarks>
/// Losing the key would orphan every history blob and unmatch every tombstone, so forgotten users would be trained on
/// again. A new key is therefore refused while tombstones written under a key exist: restore the blob (soft delete) instead.
/// </remarks>
public sealed class UserIdHasherProvider
{
    /// <summary>The key's blob name in the <see cref="ContainerNames.Keys"/> container.</summary>
    public const string KeyBlobName = "user-id-hmac.key";

    private readonly IBlobStore? _store;
    private readonly string _keysContainer;
    private readonly string _usersContainer;
    private Task<UserIdHasher>? _loading;

    /// <summary>Creates a provider that loads (or creates) the key in <paramref name="store"/> on first use.</summary>
    public UserIdHasherProvider(IBlobStore store, string keysContainer = ContainerNames.Keys, string usersContainer = ContainerNames.Users)
    {
        ArgumentNullException.ThrowIfNull(store);
        _store = store;
        _keysContainer = keysContainer;
        _usersContainer = usersContainer;
    }

    /// <summary>Creates a provider of a fixed hasher (tools and tests).</summary>
    public UserIdHasherProvider(UserIdHasher hasher)
    {
        ArgumentNullException.ThrowIfNull(hasher);
        _loading = Task.FromResult(hasher);
        _keysContainer = ContainerNames.Keys;
        _usersContainer = ContainerNames.Users;
    }

    /// <summary>Returns the hasher, loading or creating the key on the first call (a failed load is retried by the next call).</summary>
    public Task<UserIdHasher> GetAsync(CancellationToken cancellationToken = default)
    {
        var loading = Volatile.Read(ref _loading);
        if (loading is null || loading.IsFaulted || loading.IsCanceled)
        {
            // Not tied to one request's token: the key serves every later request too.
            var fresh = LoadOrCreateAsync(_store!, _keysContainer, _usersContainer, CancellationToken.None);
            var previous = Interlocked.CompareExchange(ref _loading, fresh, loading);
            loading = ReferenceEquals(previous, loading) ? fresh : previous!;
        }

        return loading.WaitAsync(cancellationToken);
    }

    /// <summary>Reads the key, creating it (create-only) when missing; see the class remarks for when creation is refused.</summary>
    /// <exception cref="InvalidDataException">The key blob does not hold <see cref="UserIdHasher.KeyLength"/> bytes.</exception>
    /// <exception cref="InvalidOperationException">The key is missing although tombstones were written under one.</exception>
    public static async Task<UserIdHasher> LoadOrCreateAsync(IBlobStore store, string keysContainer = ContainerNames.Keys, string usersContainer = ContainerNames.Users, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        if (await ReadAsync(store, keysContainer, cancellationToken).ConfigureAwait(false) is { } existing)
        {
            return existing;
        }

        await EnsureNoKeyedTombstonesAsync(store, keysContainer, usersContainer, cancellationToken).ConfigureAwait(false);
        var key = RandomNumberGenerator.GetBytes(UserIdHasher.KeyLength);
        try
        {
            await store.WriteAsync(keysContainer, KeyBlobName, key, BlobWriteCondition.CreateOnly, cancellationToken).ConfigureAwait(false);
            return new UserIdHasher(key);
        }
        catch (BlobConditionFailedException)
        {
            // Another process created it first: use its key.
            return await ReadAsync(store, keysContainer, cancellationToken).ConfigureAwait(false)
                ?? throw new InvalidOperationException($"the user id key {keysContainer}/{KeyBlobName} was created and deleted concurrently");
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
        }
    }

    private static async Task<UserIdHasher?> ReadAsync(IBlobStore store, string container, CancellationToken cancellationToken)
    {
        var blob = await store.ReadAsync(container, KeyBlobName, cancellationToken).ConfigureAwait(false);
        if (blob is null)
        {
            return null;
        }

        return blob.Content.Length == UserIdHasher.KeyLength
            ? new UserIdHasher(blob.Content.Span)
            : throw new InvalidDataException($"the user id key {container}/{KeyBlobName} has {blob.Content.Length} bytes, not {UserIdHasher.KeyLength}");
    }

    private static async Task EnsureNoKeyedTombstonesAsync(IBlobStore store, string keysContainer, string usersContainer, CancellationToken cancellationToken)
    {
        await foreach (var entry in store.ListAsync(usersContainer, ForgottenUsers.Prefix, cancellationToken).ConfigureAwait(false))
        {
            var blob = await store.ReadAsync(usersContainer, entry.Name, cancellationToken).ConfigureAwait(false);
            if (blob is not null && ForgottenUsers.IsKeyedTombstone(blob.Content.Span))
            {
                throw new InvalidOperationException(
                    $"the user id key {keysContainer}/{KeyBlobName} is missing, but {usersContainer}/{entry.Name} was written under a key: " +
                    "a new key would bring forgotten users back; restore the key blob (soft delete) instead");
            }
        }
    }
}
