using System.Text.Json;
using ServerlessRec.Storage;

namespace ServerlessRec.Serving;

/// <summary>
/// Forgets users: writes a tombstone <c>users/_forgotten/&lt;hmac(userId)&gt;.json</c> in the users container (the '_'
/// prefix never collides with the 2-hex-character history folders), then replaces the stored history with a forgotten
/// marker (<see cref="UserHistoryStore.MarkForgottenAsync"/>) so no write path stores the user's events up to that time
/// again. The next retraining lists <see cref="Prefix"/> (<see cref="ReadAllAsync"/>) and drops the events of tombstoned
/// users that happened at or before <see cref="ForgottenUserTombstone.ForgottenAt"/>. Tombstones written before the keyed
/// hash (<c>_forgotten/&lt;sha256(userId)&gt;.json</c>, <c>userIdSha256</c>) keep being honoured.
/// </summary>
public sealed class ForgottenUsers
{
    /// <summary>The blob name prefix of tombstones in the users container.</summary>
    public const string Prefix = "_forgotten/";

    private readonly IBlobStore _store;
    private readonly UserHistoryStore _histories;
    private readonly UserIdHasherProvider _hashers;
    private readonly TimeProvider _time;
    private readonly string _container;

    /// <summary>Creates the registry; user ids are hashed with the history store's key (<see cref="UserHistoryStore.Hashers"/>).</summary>
    public ForgottenUsers(IBlobStore store, UserHistoryStore histories, TimeProvider time, string container = ContainerNames.Users)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(histories);
        ArgumentNullException.ThrowIfNull(time);
        _store = store;
        _histories = histories;
        _hashers = histories.Hashers;
        _time = time;
        _container = container;
    }

    /// <summary>Returns a user's tombstone blob name in the users container.</summary>
    public static string TombstoneName(UserIdHasher hasher, string userId)
    {
        ArgumentNullException.ThrowIfNull(hasher);
        return Prefix + hasher.Hash(userId) + ".json";
    }

    /// <summary>Returns the name a tombstone of this user had before the keyed hash (read only, never written).</summary>
    public static string LegacyTombstoneName(string userId) => Prefix + UserIdHasher.LegacySha256(userId) + ".json";

    /// <summary>
    /// Writes the tombstone, then replaces the history with the forgotten marker; returns whether a history with events
    /// existed. Events at or before the returned moment are never stored or trained on again.
    /// </summary>
    public async Task<bool> ForgetAsync(string userId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(userId);
        var hasher = await _hashers.GetAsync(cancellationToken).ConfigureAwait(false);
        var forgottenAt = _time.GetUtcNow();

        // Tombstone first: if the marker write fails, retraining still excludes the user, a first write of a history
        // reads the tombstone (UserHistoryStore), and a retry finishes the job.
        var tombstone = new ForgottenUserTombstone { UserIdHmac = hasher.Hash(userId), ForgottenAt = forgottenAt };
        await _store.WriteAsync(_container, TombstoneName(hasher, userId), JsonSerializer.SerializeToUtf8Bytes(tombstone), BlobWriteCondition.None, cancellationToken).ConfigureAwait(false);
        return await _histories.MarkForgottenAsync(userId, forgottenAt, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Reads a user's tombstone (the keyed one, else a legacy one), or null when the user was never forgotten.</summary>
    public async Task<ForgottenUserTombstone?> ReadAsync(string userId, CancellationToken cancellationToken = default)
    {
        var hasher = await _hashers.GetAsync(cancellationToken).ConfigureAwait(false);
        var (keyed, legacy) = await ReadBothAsync(_store, _container, hasher, userId, cancellationToken).ConfigureAwait(false);
        return keyed is not null && (legacy is null || keyed.ForgottenAt >= legacy.ForgottenAt) ? keyed : legacy;
    }

    /// <summary>Returns the blobs (<c>container/name</c>) of this user's tombstones that exist: keyed, then legacy.</summary>
    public async Task<IReadOnlyList<string>> ExistingTombstonePathsAsync(string userId, CancellationToken cancellationToken = default)
    {
        var hasher = await _hashers.GetAsync(cancellationToken).ConfigureAwait(false);
        var (keyed, legacy) = await ReadBothAsync(_store, _container, hasher, userId, cancellationToken).ConfigureAwait(false);
        var names = new List<string>(2);
        if (keyed is not null)
        {
            names.Add($"{_container}/{TombstoneName(hasher, userId)}");
        }

        if (legacy is not null)
        {
            names.Add($"{_container}/{LegacyTombstoneName(userId)}");
        }

        return names;
    }

    /// <summary>
    /// Reads every tombstone: the forgotten users by hash and when each asked to be forgotten. The key is loaded only
    /// when keyed tombstones exist (a store with none, or only legacy ones, needs no key).
    /// </summary>
    public static async Task<ForgottenUserSet> ReadAllAsync(IBlobStore store, string container = ContainerNames.Users, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        var keyed = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
        var legacy = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
        await foreach (var entry in store.ListAsync(container, Prefix, cancellationToken).ConfigureAwait(false))
        {
            var blob = await store.ReadAsync(container, entry.Name, cancellationToken).ConfigureAwait(false);
            if (blob is null || Parse(blob.Content.Span, container, entry.Name) is not { } tombstone)
            {
                continue;
            }

            if (tombstone.UserIdHmac is { } hmac)
            {
                keyed[hmac] = tombstone.ForgottenAt;
            }
            else if (tombstone.UserIdSha256 is { } sha)
            {
                legacy[sha] = tombstone.ForgottenAt;
            }
        }

        var hasher = keyed.Count > 0
            ? await UserIdHasherProvider.LoadOrCreateAsync(store, usersContainer: container, cancellationToken: cancellationToken).ConfigureAwait(false)
            : null;
        return new ForgottenUserSet(hasher, keyed, legacy);
    }

    /// <summary>Returns when a user was forgotten (the later of the keyed and legacy tombstones), or null.</summary>
    internal static async Task<DateTimeOffset?> ReadForgottenAtAsync(IBlobStore store, string container, UserIdHasher hasher, string userId, CancellationToken cancellationToken)
    {
        var (keyed, legacy) = await ReadBothAsync(store, container, hasher, userId, cancellationToken).ConfigureAwait(false);
        return Later(keyed?.ForgottenAt, legacy?.ForgottenAt);
    }

    /// <summary>Whether a stored tombstone names its user by the keyed hash (so a key existed when it was written).</summary>
    internal static bool IsKeyedTombstone(ReadOnlySpan<byte> content)
    {
        try
        {
            return JsonSerializer.Deserialize<ForgottenUserTombstone>(content)?.UserIdHmac is not null;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    internal static DateTimeOffset? Later(DateTimeOffset? a, DateTimeOffset? b) => a is null ? b : b is null ? a : (a > b ? a : b);

    private static async Task<(ForgottenUserTombstone? Keyed, ForgottenUserTombstone? Legacy)> ReadBothAsync(IBlobStore store, string container, UserIdHasher hasher, string userId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(userId);
        var keyedName = TombstoneName(hasher, userId);
        var legacyName = LegacyTombstoneName(userId);
        var keyed = store.ReadAsync(container, keyedName, cancellationToken);
        var legacy = store.ReadAsync(container, legacyName, cancellationToken);
        await Task.WhenAll(keyed, legacy).ConfigureAwait(false);
        return (
            (await keyed.ConfigureAwait(false)) is { } k ? Parse(k.Content.Span, container, keyedName) : null,
            (await legacy.ConfigureAwait(false)) is { } l ? Parse(l.Content.Span, container, legacyName) : null);
    }

    private static ForgottenUserTombstone? Parse(ReadOnlySpan<byte> content, string container, string name)
    {
        try
        {
            return JsonSerializer.Deserialize<ForgottenUserTombstone>(content);
        }
        catch (JsonException ex)
        {
            // A damaged tombstone must stop the run, not silently un-forget a user; its name holds only a hash.
            throw new InvalidDataException($"the tombstone {container}/{name} is not valid JSON (line {ex.LineNumber + 1})", ex);
        }
    }
}
