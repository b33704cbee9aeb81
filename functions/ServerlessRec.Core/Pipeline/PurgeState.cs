using System.Text.Json;
using System.Text.Json.Serialization;
using ServerlessRec.Storage;

namespace ServerlessRec.Pipeline;

/// <summary>
/// What the purge of forgotten users' lines has done: <c>runs/state/purge.json</c>. It holds the tombstones already
/// purged (fingerprints: hash and <c>forgottenAt</c>, never ids), the newest last-modified time of the blobs it has
/// scanned, the API log blobs it left for the next run, and the blobs it rewrote with their new ETags. A night without
/// new tombstones then only scans blobs written since (new logs may hold re-posted old events of a forgotten user).
/// </summary>
public sealed record PurgeState
{
    /// <summary>The blob name in the runs container.</summary>
    public const string BlobName = "state/purge.json";

    /// <summary>Gets the fingerprints of the tombstones (<see cref="Serving.ForgottenUserSet.Fingerprints"/>) every blob was purged of.</summary>
    [JsonPropertyName("tombstones")]
    public SortedSet<string> Tombstones { get; init; } = new(StringComparer.Ordinal);

    /// <summary>Gets when the tombstones were first purged everywhere (fingerprint → run start), for the record.</summary>
    [JsonPropertyName("purgedAt")]
    public SortedDictionary<string, DateTimeOffset> PurgedAt { get; init; } = new(StringComparer.Ordinal);

    /// <summary>Gets the newest last-modified time (store clock) of the blobs listed by the last purge; later blobs are scanned.</summary>
    [JsonPropertyName("scannedThrough")]
    public DateTimeOffset? ScannedThrough { get; init; }

    /// <summary>Gets the blobs (<c>container/name</c>) left for the next run: API log blobs of hours still being appended to.</summary>
    [JsonPropertyName("pending")]
    public SortedSet<string> Pending { get; init; } = new(StringComparer.Ordinal);

    /// <summary>Gets the blobs (<c>container/name</c>) the last purge rewrote, with their new ETags: not read again while unchanged.</summary>
    [JsonPropertyName("rewritten")]
    public SortedDictionary<string, string> Rewritten { get; init; } = new(StringComparer.Ordinal);

    /// <summary>Reads the state and its raw bytes (an empty state and null when none was written yet).</summary>
    public static async Task<(PurgeState State, byte[]? Raw)> ReadAsync(IBlobStore store, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        var blob = await store.ReadAsync(ContainerNames.Runs, BlobName, cancellationToken).ConfigureAwait(false);
        if (blob is null)
        {
            return (new PurgeState(), null);
        }

        var read = JsonSerializer.Deserialize<PurgeState>(blob.Content.Span) ?? new PurgeState();
        return (new PurgeState
        {
            Tombstones = new SortedSet<string>(read.Tombstones, StringComparer.Ordinal),
            PurgedAt = new SortedDictionary<string, DateTimeOffset>(read.PurgedAt, StringComparer.Ordinal),
            ScannedThrough = read.ScannedThrough,
            Pending = new SortedSet<string>(read.Pending, StringComparer.Ordinal),
            Rewritten = new SortedDictionary<string, string>(read.Rewritten, StringComparer.Ordinal),
        }, blob.Content.ToArray());
    }

    /// <summary>Serialises the state (stable: sorted collections), so an unchanged state can be left unwritten.</summary>
    public byte[] ToBytes() => JsonSerializer.SerializeToUtf8Bytes(this);
}
