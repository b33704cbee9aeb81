using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using ServerlessRec.Storage;

namespace ServerlessRec.Pipeline;

/// <summary>
/// Which bulk log blobs have had their users' serving histories seeded: <c>runs/state/seed-watermark.json</c>, each
/// blob name with the ETag it had when seeded. A blob is seeded again only when it is new or was replaced, so the
/// seedHistories step costs in proportion to the users of new bulk files, not to all users. Entries for day folders
/// that left the training window are dropped, so the document stays the size of the window.
/// </summary>
public sealed record SeedWatermark
{
    /// <summary>The blob name in the runs container.</summary>
    public const string BlobName = "state/seed-watermark.json";

    private static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = false };

    /// <summary>Gets the seeded blobs: name → ETag when seeded.</summary>
    [JsonPropertyName("blobs")]
    public Dictionary<string, string> Blobs { get; init; } = new(StringComparer.Ordinal);

    /// <summary>Reads the watermark (empty when none was written yet).</summary>
    public static async Task<SeedWatermark> ReadAsync(IBlobStore store, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        var blob = await store.ReadAsync(ContainerNames.Runs, BlobName, cancellationToken).ConfigureAwait(false);
        if (blob is null)
        {
            return new SeedWatermark();
        }

        var read = JsonSerializer.Deserialize<SeedWatermark>(blob.Content.Span, JsonOptions) ?? new SeedWatermark();
        return new SeedWatermark { Blobs = new Dictionary<string, string>(read.Blobs, StringComparer.Ordinal) };
    }

    /// <summary>Writes the watermark.</summary>
    public Task WriteAsync(IBlobStore store, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        return store.WriteAsync(ContainerNames.Runs, BlobName, JsonSerializer.SerializeToUtf8Bytes(this, JsonOptions), cancellationToken: cancellationToken);
    }

    /// <summary>Whether a blob was seeded with this content.</summary>
    public bool Contains(string name, string etag) => Blobs.TryGetValue(name, out var seeded) && seeded == etag;

    /// <summary>Drops the entries of day folders (<c>yyyy/MM/dd/…</c>) before <paramref name="windowStart"/>: they are not listed any more.</summary>
    public void DropBefore(DateTimeOffset windowStart)
    {
        var firstDay = windowStart.UtcDateTime.Date;
        foreach (var name in Blobs.Keys.ToList())
        {
            if (TryGetDay(name, out var day) && day < firstDay)
            {
                Blobs.Remove(name);
            }
        }
    }

    /// <summary>Reads the day of a blob in a <c>yyyy/MM/dd/</c> folder.</summary>
    internal static bool TryGetDay(string name, out DateTime day) =>
        DateTime.TryParseExact(name.Length >= 10 ? name[..10] : name, "yyyy'/'MM'/'dd", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out day);
}
