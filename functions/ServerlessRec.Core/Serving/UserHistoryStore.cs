using System.Text.Json;
using System.Text.Json.Serialization;
using ServerlessRec.Events;
using ServerlessRec.Storage;
using ServerlessRec.Training;

namespace ServerlessRec.Serving;

/// <summary>
/// The per-user history blobs: read, append with ETag optimistic concurrency (bounded retries, so many writers for one
/// user lose nothing), forget and delete. Histories are capped to the most recent events. A blob is named by the keyed
/// hash of the id (<see cref="BlobName"/>), so every id the API accepts fits storage limits and no id shows in a listing;
/// the document keeps the id. Histories written before the keyed hash (<see cref="LegacyBlobName"/>) are read when the
/// new blob is missing and moved to it on their next write.
/// </summary>
/// <remarks>
/// A forgotten user's document is replaced by a marker holding only <c>forgottenAt</c>; every append drops the events at
/// or before it, and the ETag-conditional write orders each append against a concurrent forget. A first write for a user
/// also reads the user's tombstones, so users forgotten before markers existed (or whose marker write failed) stay forgotten.
/// </remarks>
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
    private readonly EventTypeOptions? _types;

    /// <summary>Creates the store.</summary>
    /// <param name="store">The blob store.</param>
    /// <param name="capacity">The events kept per user; with <paramref name="types"/>, per kind (positive, rejected).</param>
    /// <param name="container">The users container.</param>
    /// <param name="maxAttempts">The write attempts under contention.</param>
    /// <param name="hashers">The deployment's user id key; by default loaded (or created) from <paramref name="store"/> on first use.</param>
    /// <param name="types">
    /// The event types. When given, the cap counts positive and rejected events separately, so a run of skips never
    /// pushes out the positives the user tower reads (training counts only positives in its history window); without
    /// it, the newest <paramref name="capacity"/> events of any kind are kept.
    /// </param>
    public UserHistoryStore(IBlobStore store, int capacity = DefaultCapacity, string container = ContainerNames.Users, int maxAttempts = DefaultMaxAttempts, UserIdHasherProvider? hashers = null, EventTypeOptions? types = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxAttempts, 1);
        _store = store;
        _container = container;
        _capacity = capacity;
        _maxAttempts = maxAttempts;
        _types = types;
        Hashers = hashers ?? new UserIdHasherProvider(store, usersContainer: container);
    }

    /// <summary>Gets the provider of the key user ids are hashed with.</summary>
    public UserIdHasherProvider Hashers { get; }

    /// <summary>Returns the blob name of a user's history: <c>&lt;2 hex&gt;/&lt;64 hex&gt;.json</c> of the keyed hash (the prefix spreads users over folders).</summary>
    public static string BlobName(UserIdHasher hasher, string userId)
    {
        ArgumentNullException.ThrowIfNull(hasher);
        var hash = hasher.Hash(userId);
        return $"{hash[..2]}/{hash}.json";
    }

    /// <summary>Returns the name a history had before the keyed hash (<c>&lt;2 hex of sha256&gt;/&lt;escaped id&gt;.json</c>); read and moved, never written.</summary>
    public static string LegacyBlobName(string userId) => $"{UserIdHasher.LegacySha256(userId)[..2]}/{Uri.EscapeDataString(userId)}.json";

    /// <summary>Reads a user's history (empty when the user has none).</summary>
    public async Task<StoredUserHistory> ReadAsync(string userId, CancellationToken cancellationToken = default)
    {
        var hasher = await Hashers.GetAsync(cancellationToken).ConfigureAwait(false);
        return (await ReadCurrentAsync(hasher, userId, cancellationToken).ConfigureAwait(false)).History;
    }

    /// <summary>
    /// Reads the events of up to <paramref name="max"/> stored histories in listing order, for measurements on real
    /// users (IVF calibration, <c>bench index --model</c>). Blob names are keyed hashes, so the histories come without
    /// their user; a document that does not parse is skipped.
    /// </summary>
    public async Task<IReadOnlyList<IReadOnlyList<HistoryEvent>>> SampleEventsAsync(int max, CancellationToken cancellationToken = default)
    {
        var histories = new List<IReadOnlyList<HistoryEvent>>();
        await foreach (var entry in _store.ListAsync(_container, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            if (histories.Count >= max)
            {
                break;
            }

            var blob = await _store.ReadAsync(_container, entry.Name, cancellationToken).ConfigureAwait(false);
            try
            {
                if (blob is not null && JsonSerializer.Deserialize<StoredDocument>(blob.Content.Span, JsonOptions) is { Events.Count: > 0 } document)
                {
                    histories.Add(document.Events);
                }
            }
            catch (JsonException)
            {
                // Not a history document: nothing to measure.
            }
        }

        return histories;
    }

    /// <summary>Returns the blobs (<c>container/name</c>) that hold this user's history now: the keyed one and/or a legacy one.</summary>
    public async Task<IReadOnlyList<string>> ExistingBlobPathsAsync(string userId, CancellationToken cancellationToken = default)
    {
        var hasher = await Hashers.GetAsync(cancellationToken).ConfigureAwait(false);
        var names = new List<string>(2);
        if (await Guarded(hasher, userId, "reading", () => _store.GetPropertiesAsync(_container, BlobName(hasher, userId), cancellationToken)).ConfigureAwait(false) is not null)
        {
            names.Add($"{_container}/{BlobName(hasher, userId)}");
        }

        if (await ReadLegacyAsync(hasher, userId, cancellationToken).ConfigureAwait(false) is not null)
        {
            names.Add($"{_container}/{LegacyBlobName(userId)}");
        }

        return names;
    }

    /// <summary>
    /// Appends events (in any order) to a user's history, keeping the newest <c>capacity</c> events. Events at or before
    /// the user's <see cref="StoredUserHistory.ForgottenAt"/> are dropped; when nothing new is left to add, nothing is written.
    /// </summary>
    /// <exception cref="BlobConditionFailedException">The history kept changing under more than the allowed number of attempts.</exception>
    public async Task<StoredUserHistory> AppendAsync(string userId, IReadOnlyCollection<HistoryEvent> events, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(userId);
        ArgumentNullException.ThrowIfNull(events);
        var hasher = await Hashers.GetAsync(cancellationToken).ConfigureAwait(false);
        var random = new Random();
        for (var attempt = 1; ; attempt++)
        {
            var current = await ReadCurrentAsync(hasher, userId, cancellationToken, withTombstones: true).ConfigureAwait(false);
            var forgottenAt = current.History.ForgottenAt;
            var added = forgottenAt is { } cutoff ? events.Where(e => e.Timestamp > cutoff).ToList() : [.. events];
            if (added.Count == 0)
            {
                return current.History;
            }

            // Duplicates (a retried post, a re-seeded log) are kept once, as training keeps them (DuplicateKey); the order
            // is training's, so the cap below drops the events the dataset has first.
            var merged = current.History.Events.Concat(added)
                .DistinctBy(DuplicateKey)
                .OrderBy(e => HistoryOrder.Of(e.Timestamp, e.ItemId, e.Type, e.Value))
                .ToList();
            Cap(merged);

            // Nothing new (a re-seeded log, a retried post): no write, so re-seeding a run costs one read per user.
            if (current.ETag is not null && merged.SequenceEqual(current.History.Events))
            {
                return current.History;
            }

            var updated = new StoredUserHistory { UserId = userId, ForgottenAt = forgottenAt, Events = merged };
            try
            {
                await WriteAsync(hasher, userId, current, JsonSerializer.SerializeToUtf8Bytes(updated, JsonOptions), cancellationToken).ConfigureAwait(false);
                return updated;
            }
            catch (BlobConditionFailedException ex)
            {
                if (attempt >= _maxAttempts)
                {
                    throw new BlobConditionFailedException($"the history of user {hasher.ForLogs(userId)} changed under each of {_maxAttempts} write attempts; none of the {events.Count} events was added to it", ex);
                }

                // Someone else wrote this user's history first: re-read and merge again, after a short jittered pause.
                await Task.Delay(random.Next(0, Math.Min(50, 1 + (attempt * 2))), cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// Drops the oldest events beyond the capacity: of any kind without event types; with them, of each kind (positives,
    /// rejected events) on its own, keeping the order. Unknown types count as positives.
    /// </summary>
    private void Cap(List<HistoryEvent> merged)
    {
        if (merged.Count <= _capacity)
        {
            return;
        }

        if (_types is null)
        {
            merged.RemoveRange(0, merged.Count - _capacity);
            return;
        }

        int positives = 0, negatives = 0;
        var keep = new bool[merged.Count];
        for (var i = merged.Count - 1; i >= 0; i--)
        {
            var negative = _types.TryClassify(merged[i].Type, merged[i].Value, out _, out var rejected) && rejected;
            keep[i] = negative ? negatives++ < _capacity : positives++ < _capacity;
        }

        var kept = 0;
        for (var i = 0; i < merged.Count; i++)
        {
            if (keep[i])
            {
                merged[kept++] = merged[i];
            }
        }

        merged.RemoveRange(kept, merged.Count - kept);
    }

    /// <summary>
    /// Replaces a user's history with the forgotten marker <c>{"forgottenAt": …, "events": []}</c> (no user id) and deletes
    /// a legacy blob; returns whether the user had stored events. Later appends drop every event at or before
    /// <paramref name="forgottenAt"/>.
    /// </summary>
    public async Task<bool> MarkForgottenAsync(string userId, DateTimeOffset forgottenAt, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(userId);
        var hasher = await Hashers.GetAsync(cancellationToken).ConfigureAwait(false);
        for (var attempt = 1; ; attempt++)
        {
            var current = await ReadCurrentAsync(hasher, userId, cancellationToken).ConfigureAwait(false);
            var marker = new ForgottenMarker { ForgottenAt = ForgottenUsers.Later(current.History.ForgottenAt, forgottenAt)!.Value };
            try
            {
                await WriteAsync(hasher, userId, current, JsonSerializer.SerializeToUtf8Bytes(marker, JsonOptions), cancellationToken).ConfigureAwait(false);
                return current.History.Events.Count > 0;
            }
            catch (BlobConditionFailedException) when (attempt < _maxAttempts)
            {
                // An append landed between the read and the marker: read again, so the answer counts its events too.
                await Task.Delay(Math.Min(50, attempt), cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Deletes a user's history blobs (keyed and legacy) outright, leaving no marker; returns false when there were none.</summary>
    public async Task<bool> DeleteAsync(string userId, CancellationToken cancellationToken = default)
    {
        var hasher = await Hashers.GetAsync(cancellationToken).ConfigureAwait(false);
        var deleted = await Guarded(hasher, userId, "deleting", () => _store.DeleteAsync(_container, BlobName(hasher, userId), cancellationToken: cancellationToken)).ConfigureAwait(false);
        return await DeleteLegacyAsync(hasher, userId, cancellationToken).ConfigureAwait(false) || deleted;
    }

    private async Task WriteAsync(UserIdHasher hasher, string userId, CurrentHistory current, byte[] bytes, CancellationToken cancellationToken)
    {
        // The keyed blob is replaced only in the version read; a history found under its legacy name (or nowhere) is
        // created, so two writers moving the same legacy history cannot both win.
        var condition = current.ETag is { } etag ? BlobWriteCondition.Matching(etag) : BlobWriteCondition.CreateOnly;
        await Guarded(hasher, userId, "writing", () => _store.WriteAsync(_container, BlobName(hasher, userId), bytes, condition, cancellationToken)).ConfigureAwait(false);
        if (current.FromLegacy)
        {
            await DeleteLegacyAsync(hasher, userId, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<CurrentHistory> ReadCurrentAsync(UserIdHasher hasher, string userId, CancellationToken cancellationToken, bool withTombstones = false)
    {
        var blob = await Guarded(hasher, userId, "reading", () => _store.ReadAsync(_container, BlobName(hasher, userId), cancellationToken)).ConfigureAwait(false);
        if (blob is not null)
        {
            return new CurrentHistory(Parse(hasher, userId, blob.Content.Span), blob.ETag, FromLegacy: false);
        }

        // No keyed blob yet: a history from before the upgrade, and (for writes) tombstones the marker may not reflect.
        var legacy = ReadLegacyAsync(hasher, userId, cancellationToken);
        var tombstone = withTombstones
            ? Guarded(hasher, userId, "checking the tombstones before writing", () => ForgottenUsers.ReadForgottenAtAsync(_store, _container, hasher, userId, cancellationToken))
            : Task.FromResult<DateTimeOffset?>(null);
        await Task.WhenAll(legacy, tombstone).ConfigureAwait(false);
        var legacyBlob = await legacy.ConfigureAwait(false);
        var forgottenAt = await tombstone.ConfigureAwait(false);
        var history = legacyBlob is null ? new StoredUserHistory { UserId = userId } : Parse(hasher, userId, legacyBlob.Content.Span);
        if (forgottenAt is { } cutoff)
        {
            history = history with { ForgottenAt = ForgottenUsers.Later(history.ForgottenAt, cutoff), Events = [.. history.Events.Where(e => e.Timestamp > cutoff)] };
        }

        return new CurrentHistory(history, ETag: null, FromLegacy: legacyBlob is not null);
    }

    private Task<StoredBlob?> ReadLegacyAsync(UserIdHasher hasher, string userId, CancellationToken cancellationToken) =>
        LegacyNameCanExist(userId)
            ? Guarded(hasher, userId, "reading", () => _store.ReadAsync(_container, LegacyBlobName(userId), cancellationToken))
            : Task.FromResult<StoredBlob?>(null);

    private async Task<bool> DeleteLegacyAsync(UserIdHasher hasher, string userId, CancellationToken cancellationToken) =>
        LegacyNameCanExist(userId)
        && await Guarded(hasher, userId, "deleting", () => _store.DeleteAsync(_container, LegacyBlobName(userId), cancellationToken: cancellationToken)).ConfigureAwait(false);

    /// <summary>
    /// Whether a legacy history could have been stored at all: a longer escaped id exceeded Blob Storage's name limit (and
    /// the store refuses to even look such a name up). Names the local folder could not hold simply read as missing.
    /// </summary>
    private static bool LegacyNameCanExist(string userId) => LegacyBlobName(userId).Length <= BlobNameRules.MaxBlobNameLength;

    private static StoredUserHistory Parse(UserIdHasher hasher, string userId, ReadOnlySpan<byte> content)
    {
        // A damaged stored document is a server fault: it must not surface as a JsonException (a 400 blaming the request),
        // and its message names the user by hash only, since it is logged.
        StoredDocument? document;
        try
        {
            document = JsonSerializer.Deserialize<StoredDocument>(content, JsonOptions);
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"the stored history of user {hasher.ForLogs(userId)} is not valid JSON (line {ex.LineNumber + 1}, byte {ex.BytePositionInLine + 1})");
        }

        return document is null
            ? throw new InvalidDataException($"the stored history of user {hasher.ForLogs(userId)} is empty")
            : new StoredUserHistory { UserId = userId, ForgottenAt = document.ForgottenAt, Events = document.Events ?? [] };
    }

    /// <summary>
    /// Runs a store call on a user's history blob. Storage errors quote the blob's path or URI in their messages, which end
    /// up in Error logs, and a legacy blob's name holds the raw user id: an unexpected failure is rethrown as a
    /// <see cref="UserHistoryStorageException"/> that names the user by hash and the cause by type only. Lost ETag
    /// races (<see cref="BlobConditionFailedException"/>, retried above) and cancellation pass through.
    /// </summary>
    private static async Task<T> Guarded<T>(UserIdHasher hasher, string userId, string action, Func<Task<T>> call)
    {
        try
        {
            return await call().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not (BlobConditionFailedException or OperationCanceledException))
        {
            throw new UserHistoryStorageException($"{action} the history of user {hasher.ForLogs(userId)} failed with {ex.GetType().Name} (HResult 0x{ex.HResult:X8}); the storage error's text is not kept because it may quote the user id");
        }
    }

    /// <summary>
    /// What makes two stored events the same event: item, type, timestamp and value, the value as the dataset keeps it
    /// (a 32-bit float), so a seeded copy of a posted rating is recognised while two ratings of one item in one second are
    /// both kept, as training keeps them.
    /// </summary>
    internal static (string ItemId, string Type, DateTimeOffset Timestamp, float Value) DuplicateKey(HistoryEvent e) =>
        (e.ItemId, e.Type, e.Timestamp, HistoryOrder.ValueOf(e.Value));

    private sealed record CurrentHistory(StoredUserHistory History, string? ETag, bool FromLegacy);

    /// <summary>The stored document as read: a history, or a forgotten marker without a user id.</summary>
    private sealed record StoredDocument
    {
        [JsonPropertyName("forgottenAt")]
        public DateTimeOffset? ForgottenAt { get; init; }

        [JsonPropertyName("events")]
        public List<HistoryEvent>? Events { get; init; }
    }

    /// <summary>What stays of a forgotten user's history: when, and nothing that names them.</summary>
    private sealed record ForgottenMarker
    {
        [JsonPropertyName("forgottenAt")]
        public required DateTimeOffset ForgottenAt { get; init; }

        [JsonPropertyName("events")]
        public IReadOnlyList<HistoryEvent> Events { get; init; } = [];
    }
}
