using System.Text.Json;
using ServerlessRec.Storage;

namespace ServerlessRec.Serving;

/// <summary>
/// The per-user history blobs: read, append with ETag optimistic concurrency (bounded retries, so many
/// writers for one user lose nothing), and delete (forget). Histories are capped to the most recent events.
/// </summary>
public sealed class UserHistoryStore
{
    /// <summary>The default number of events kept per user.</summary>
    public const int DefaultCapacity = 200;

    /// <summary>The default number of write attempts under contention.</summary>
    public const int DefaultMaxAttempts = 64;

    private static readonly JsonSerializerOptions JsonOptions = new();
    private readonly IBlobStore _store;
    private readonly string _container;
    private readonly int _capacity;
    private readonly int _maxAttempts;

    /// <summary>Creates the store.</summary>
    public UserHistoryStore(IBlobStore store, int capacity = DefaultCapacity, string container = ContainerNames.Users, int maxAttempts = DefaultMaxAttempts)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxAttempts, 1);
        _store = store;
        _container = container;
        _capacity = capacity;
        _maxAttempts = maxAttempts;
    }

    /// <summary>Returns the blob name of a user's history: a 2-character hash prefix spreads users over folders.</summary>
    public static string BlobName(string userId) => $"{UserIdHash.Sha256(userId)[..2]}/{Uri.EscapeDataString(userId)}.json";

    /// <summary>Reads a user's history (empty when the user has none).</summary>
    public async Task<StoredUserHistory> ReadAsync(string userId, CancellationToken cancellationToken = default)
    {
        var (history, _) = await ReadWithETagAsync(userId, cancellationToken).ConfigureAwait(false);
        return history;
    }

    /// <summary>Appends events (in any order) to a user's history, keeping the newest <c>capacity</c> events.</summary>
    /// <exception cref="BlobConditionFailedException">The history kept changing under more than the allowed number of attempts.</exception>
    public async Task<StoredUserHistory> AppendAsync(string userId, IReadOnlyCollection<HistoryEvent> events, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(events);
        var random = new Random();
        for (var attempt = 1; ; attempt++)
        {
            var (current, etag) = await ReadWithETagAsync(userId, cancellationToken).ConfigureAwait(false);
            // Duplicates (a retried post, a re-seeded log) are kept once.
            var merged = current.Events.Concat(events)
                .DistinctBy(e => (e.ItemId, e.Type, e.Timestamp))
                .OrderBy(e => e.Timestamp)
                .ThenBy(e => e.ItemId, StringComparer.Ordinal)
                .ToList();
            if (merged.Count > _capacity)
            {
                merged.RemoveRange(0, merged.Count - _capacity);
            }

            // Nothing new (a re-seeded log, a retried post): no write, so seeding unchanged users costs a read only.
            if (etag is not null && merged.SequenceEqual(current.Events))
            {
                return current;
            }

            var updated = current with { Events = merged };
            var bytes = JsonSerializer.SerializeToUtf8Bytes(updated, JsonOptions);
            var condition = etag is null ? BlobWriteCondition.CreateOnly : BlobWriteCondition.Matching(etag);
            try
            {
                await Guarded(userId, "writing", () => _store.WriteAsync(_container, BlobName(userId), bytes, condition, cancellationToken)).ConfigureAwait(false);
                return updated;
            }
            catch (BlobConditionFailedException ex)
            {
                if (attempt >= _maxAttempts)
                {
                    throw new BlobConditionFailedException($"the history of user {UserIdHash.ForLogs(userId)} changed under each of {_maxAttempts} write attempts; none of the {events.Count} events was added to it", ex);
                }

                // Someone else wrote this user's history first: re-read and merge again, after a short jittered pause.
                await Task.Delay(random.Next(0, Math.Min(50, 1 + (attempt * 2))), cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Deletes a user's history; returns false when there was none.</summary>
    public Task<bool> DeleteAsync(string userId, CancellationToken cancellationToken = default) =>
        Guarded(userId, "deleting", () => _store.DeleteAsync(_container, BlobName(userId), cancellationToken: cancellationToken));

    private async Task<(StoredUserHistory History, string? ETag)> ReadWithETagAsync(string userId, CancellationToken cancellationToken)
    {
        var blob = await Guarded(userId, "reading", () => _store.ReadAsync(_container, BlobName(userId), cancellationToken)).ConfigureAwait(false);
        if (blob is null)
        {
            return (new StoredUserHistory { UserId = userId }, null);
        }

        // A damaged stored document is a server fault: it must not surface as a JsonException (a 400 blaming the request),
        // and its message names the user by hash only, since it is logged.
        StoredUserHistory? history;
        try
        {
            history = JsonSerializer.Deserialize<StoredUserHistory>(blob.Content.Span, JsonOptions);
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"the stored history of user {UserIdHash.ForLogs(userId)} is not valid JSON (line {ex.LineNumber + 1}, byte {ex.BytePositionInLine + 1})");
        }

        return (history ?? throw new InvalidDataException($"the stored history of user {UserIdHash.ForLogs(userId)} is empty"), blob.ETag);
    }

    /// <summary>
    /// Runs a store call on a user's history blob. Its name holds the raw user id, and storage errors quote it (a local
    /// path, a blob URI) in their messages, which end up in Error logs: an unexpected failure is rethrown as a
    /// <see cref="UserHistoryStorageException"/> that names the user by hash and the cause by type only. Lost ETag
    /// races (<see cref="BlobConditionFailedException"/>, retried above) and cancellation pass through.
    /// </summary>
    private static async Task<T> Guarded<T>(string userId, string action, Func<Task<T>> call)
    {
        try
        {
            return await call().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not (BlobConditionFailedException or OperationCanceledException))
        {
            throw new UserHistoryStorageException($"{action} the history of user {UserIdHash.ForLogs(userId)} failed with {ex.GetType().Name} (HResult 0x{ex.HResult:X8}); the storage error's text is not kept because it quotes the user id");
        }
    }
}

/// <summary>A user history could not be read, written or deleted; the message names the user by hash only.</summary>
public sealed class UserHistoryStorageException : IOException
{
    /// <summary>Creates the exception.</summary>
    public UserHistoryStorageException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public UserHistoryStorageException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and its cause.</summary>
    public UserHistoryStorageException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
