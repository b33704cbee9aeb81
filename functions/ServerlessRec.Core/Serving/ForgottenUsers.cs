using System.Text.Json;
using System.Text.Json.Serialization;
using ServerlessRec.Storage;

namespace ServerlessRec.Serving;

/// <summary>A forget request kept for retraining: which user (by hash only) and when.</summary>
public sealed record ForgottenUserTombstone
{
    /// <summary>Gets the lower-case hex SHA-256 of the user id (the id itself is not kept).</summary>
    [JsonPropertyName("userIdSha256")]
    public required string UserIdSha256 { get; init; }

    /// <summary>Gets when the user asked to be forgotten: events up to this time are excluded from training.</summary>
    [JsonPropertyName("forgottenAt")]
    public required DateTimeOffset ForgottenAt { get; init; }
}

/// <summary>
/// Forgets users: deletes the stored history and writes a tombstone <c>users/_forgotten/&lt;sha256(userId)&gt;.json</c>
/// in the users container (the '_' prefix never collides with the 2-hex-character history folders). The next
/// retraining lists <see cref="Prefix"/>, hashes each event's user id and drops the events of tombstoned users
/// that happened at or before <see cref="ForgottenUserTombstone.ForgottenAt"/>.
/// </summary>
public sealed class ForgottenUsers
{
    /// <summary>The blob name prefix of tombstones in the users container.</summary>
    public const string Prefix = "_forgotten/";

    private readonly IBlobStore _store;
    private readonly UserHistoryStore _histories;
    private readonly TimeProvider _time;
    private readonly string _container;

    /// <summary>Creates the registry.</summary>
    public ForgottenUsers(IBlobStore store, UserHistoryStore histories, TimeProvider time, string container = ContainerNames.Users)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(histories);
        ArgumentNullException.ThrowIfNull(time);
        _store = store;
        _histories = histories;
        _time = time;
        _container = container;
    }

    /// <summary>Returns the lower-case hex SHA-256 of a user id (UTF-8): <see cref="UserIdHash.Sha256"/>.</summary>
    public static string HashUserId(string userId) => UserIdHash.Sha256(userId);

    /// <summary>Returns a user's tombstone blob name in the users container.</summary>
    public static string TombstoneName(string userId) => Prefix + HashUserId(userId) + ".json";

    /// <summary>Writes the tombstone, then deletes the history; returns whether a history existed.</summary>
    public async Task<bool> ForgetAsync(string userId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(userId);
        // Tombstone first: if the delete fails, retraining still excludes the user and a retry finishes the job.
        var tombstone = new ForgottenUserTombstone { UserIdSha256 = HashUserId(userId), ForgottenAt = _time.GetUtcNow() };
        await _store.WriteAsync(_container, TombstoneName(userId), JsonSerializer.SerializeToUtf8Bytes(tombstone), BlobWriteCondition.None, cancellationToken).ConfigureAwait(false);
        return await _histories.DeleteAsync(userId, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Reads a user's tombstone, or null when the user was never forgotten.</summary>
    public async Task<ForgottenUserTombstone?> ReadAsync(string userId, CancellationToken cancellationToken = default)
    {
        var blob = await _store.ReadAsync(_container, TombstoneName(userId), cancellationToken).ConfigureAwait(false);
        return blob is null ? null : JsonSerializer.Deserialize<ForgottenUserTombstone>(blob.Content.Span);
    }

    /// <summary>Reads every tombstone: the forgotten users' id hashes and when each asked to be forgotten.</summary>
    public static async Task<IReadOnlyDictionary<string, DateTimeOffset>> ReadAllAsync(IBlobStore store, string container = ContainerNames.Users, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        var tombstones = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
        await foreach (var entry in store.ListAsync(container, Prefix, cancellationToken).ConfigureAwait(false))
        {
            var blob = await store.ReadAsync(container, entry.Name, cancellationToken).ConfigureAwait(false);
            if (blob is not null && JsonSerializer.Deserialize<ForgottenUserTombstone>(blob.Content.Span) is { } tombstone)
            {
                tombstones[tombstone.UserIdSha256] = tombstone.ForgottenAt;
            }
        }

        return tombstones;
    }
}
