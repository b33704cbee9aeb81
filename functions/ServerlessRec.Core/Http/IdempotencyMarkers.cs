using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using ServerlessRec.Storage;

namespace ServerlessRec.Http;

/// <summary>
/// The idempotency markers of <c>POST /api/events</c>: one small blob per key, <c>requests/events/&lt;sha256(key)&gt;.json</c>
/// (the key itself is not stored), written create-only and then replaced with its ETag, so two posts with one key never
/// both append to the log. Markers are kept <see cref="Retention"/>; <see cref="DeleteExpiredAsync"/> removes older ones.
/// </summary>
public sealed class IdempotencyMarkers
{
    /// <summary>The request header that carries the key.</summary>
    public const string HeaderName = "Idempotency-Key";

    /// <summary>The response header set on an answer replayed from a completed key.</summary>
    public const string ReplayedHeaderName = "Idempotent-Replayed";

    /// <summary>The longest key: 128 visible ASCII characters.</summary>
    public const int MaxKeyLength = 128;

    /// <summary>The blob name prefix of the markers of <c>POST /api/events</c> in the requests container.</summary>
    public const string EventsPrefix = "events/";

    /// <summary>How long a key is honoured: a retry later than this after the last write of its marker counts as a new post.</summary>
    public static readonly TimeSpan Retention = TimeSpan.FromHours(24);

    /// <summary>How long a received post is taken to be in flight: a retry with its key within it gets 409 and Retry-After.</summary>
    public static readonly TimeSpan Lease = TimeSpan.FromSeconds(30);

    private static readonly JsonSerializerOptions JsonOptions = new();
    private readonly IBlobStore _store;
    private readonly TimeProvider _time;
    private readonly string _container;

    /// <summary>Creates the markers' store.</summary>
    public IdempotencyMarkers(IBlobStore store, TimeProvider time, string container = ContainerNames.Requests)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(time);
        _store = store;
        _time = time;
        _container = container;
    }

    /// <summary>Returns whether <paramref name="key"/> is 1–<see cref="MaxKeyLength"/> visible ASCII characters (<c>!</c> to <c>~</c>).</summary>
    public static bool IsValidKey(string? key) =>
        !string.IsNullOrEmpty(key) && key.Length <= MaxKeyLength && !key.AsSpan().ContainsAnyExceptInRange('!', '~');

    /// <summary>Returns the marker's blob name: the key's SHA-256, so any key makes a valid name and the key is not kept.</summary>
    public static string BlobName(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return EventsPrefix + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key))) + ".json";
    }

    /// <summary>Reads a key's marker and its ETag, or (null, null) when the key is new.</summary>
    public async Task<(IdempotencyMarker? Marker, string? ETag)> ReadAsync(string key, CancellationToken cancellationToken = default)
    {
        var blob = await _store.ReadAsync(_container, BlobName(key), cancellationToken).ConfigureAwait(false);
        if (blob is null)
        {
            return (null, null);
        }

        var marker = JsonSerializer.Deserialize<IdempotencyMarker>(blob.Content.Span, JsonOptions)
            ?? throw new InvalidDataException($"the idempotency marker {BlobName(key)} is empty");
        return (marker, blob.ETag);
    }

    /// <summary>Creates a key's marker; returns its ETag, or null when the key already has one (another post took it first).</summary>
    public async Task<string?> TryCreateAsync(string key, IdempotencyMarker marker, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(marker);
        try
        {
            return await _store.WriteAsync(_container, BlobName(key), JsonSerializer.SerializeToUtf8Bytes(marker, JsonOptions), BlobWriteCondition.CreateOnly, cancellationToken).ConfigureAwait(false);
        }
        catch (BlobConditionFailedException)
        {
            return null;
        }
    }

    /// <summary>Replaces a key's marker if it still has <paramref name="etag"/>; returns the new ETag, or null when it changed.</summary>
    public async Task<string?> TryReplaceAsync(string key, IdempotencyMarker marker, string etag, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(marker);
        ArgumentException.ThrowIfNullOrEmpty(etag);
        try
        {
            return await _store.WriteAsync(_container, BlobName(key), JsonSerializer.SerializeToUtf8Bytes(marker, JsonOptions), BlobWriteCondition.Matching(etag), cancellationToken).ConfigureAwait(false);
        }
        catch (BlobConditionFailedException)
        {
            return null;
        }
    }

    /// <summary>
    /// Deletes the markers last written more than <see cref="Retention"/> before now (by the store's last-modified time,
    /// so nothing is read); returns how many. Meant for the retraining's cleanup step.
    /// </summary>
    public async Task<int> DeleteExpiredAsync(CancellationToken cancellationToken = default)
    {
        var cutoff = _time.GetUtcNow() - Retention;
        var expired = new List<BlobEntry>();
        await foreach (var entry in _store.ListAsync(_container, EventsPrefix, cancellationToken).ConfigureAwait(false))
        {
            if (entry.LastModified < cutoff)
            {
                expired.Add(entry);
            }
        }

        var deleted = 0;
        foreach (var entry in expired)
        {
            try
            {
                // If-Match: a marker rewritten since it was listed (a retry in progress) is kept.
                if (await _store.DeleteAsync(_container, entry.Name, entry.ETag, cancellationToken).ConfigureAwait(false))
                {
                    deleted++;
                }
            }
            catch (BlobConditionFailedException)
            {
                // Rewritten since it was listed: a retry is using the key again, so the marker stays.
            }
        }

        return deleted;
    }
}
