using System.Collections.Concurrent;
using System.Globalization;
using ServerlessRec.Events;
using ServerlessRec.Storage;

namespace ServerlessRec.Catalog;

/// <summary>
/// The catalog updates of <c>PUT /api/items</c>, <c>DELETE /api/items/{itemId}</c> and <c>items import</c>: each call
/// writes one new blob <c>catalog/updates/&lt;yyyyMMddHHmmssfff&gt;-&lt;guid&gt;.jsonl</c> in the <c>items.jsonl</c> format,
/// create-only (<c>If-None-Match: *</c>). Concurrent writers therefore never overwrite each other: nothing is lost, and
/// the order of two updates of one item is the order of their names (time, then a random tie-break), the same on
/// every instance. Retraining reads them after <c>catalog/items.jsonl</c>; serving instances read each blob once
/// (it never changes) and list the prefix on every refresh.
/// </summary>
public sealed class CatalogUpdateStore
{
    /// <summary>The name prefix of the update blobs in the catalog container.</summary>
    public const string Prefix = "updates/";

    private const string TimeFormat = "yyyyMMddHHmmssfff";
    private readonly IBlobStore _store;
    private readonly TimeProvider _time;
    private readonly CatalogReader _reader = new();
    private readonly ConcurrentDictionary<string, CatalogUpdateBlob> _read = new(StringComparer.Ordinal);

    /// <summary>Creates the store over the catalog container of <paramref name="store"/>.</summary>
    public CatalogUpdateStore(IBlobStore store, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(time);
        _store = store;
        _time = time;
    }

    /// <summary>Writes one update blob holding <paramref name="items"/> (create-only) and returns it.</summary>
    public async Task<CatalogUpdateBlob> WriteAsync(IReadOnlyList<CatalogItem> items, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(items);
        var now = _time.GetUtcNow();
        var name = $"{Prefix}{now.UtcDateTime.ToString(TimeFormat, CultureInfo.InvariantCulture)}-{Guid.NewGuid():N}.jsonl";
        using var content = new MemoryStream();
        await CatalogFileWriter.WriteAsync(content, items, cancellationToken).ConfigureAwait(false);
        await _store.WriteAsync(ContainerNames.Catalog, name, content.GetBuffer().AsMemory(0, (int)content.Length), BlobWriteCondition.CreateOnly, cancellationToken).ConfigureAwait(false);
        var blob = new CatalogUpdateBlob(name, TimeOf(name) ?? now, items);
        _read[name] = blob;
        return blob;
    }

    /// <summary>Returns every update blob in name order; a blob already read by this instance is not read again.</summary>
    public Task<IReadOnlyList<CatalogUpdateBlob>> ReadAllAsync(CancellationToken cancellationToken = default) =>
        ReadAfterAsync(null, cancellationToken);

    /// <summary>Returns the update blobs named after <paramref name="after"/> (all when null), in name order.</summary>
    /// <param name="after">A blob name (a model's catalog watermark); only later names are read.</param>
    /// <param name="cancellationToken">Cancels the listing and the reads.</param>
    public async Task<IReadOnlyList<CatalogUpdateBlob>> ReadAfterAsync(string? after, CancellationToken cancellationToken = default)
    {
        var (blobs, vanished) = await ReadOnceAsync(after, cancellationToken).ConfigureAwait(false);
        if (vanished)
        {
            // A listed blob was deleted before it was read: compaction folded it into a blob it wrote first, which a listing
            // that started before that write does not show. The second listing does.
            (blobs, _) = await ReadOnceAsync(after, cancellationToken).ConfigureAwait(false);
        }

        return blobs;
    }

    private async Task<(List<CatalogUpdateBlob> Blobs, bool Vanished)> ReadOnceAsync(string? after, CancellationToken cancellationToken)
    {
        var vanished = false;
        var names = new List<string>();
        var entryTimes = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
        await foreach (var entry in _store.ListAsync(ContainerNames.Catalog, Prefix, cancellationToken).ConfigureAwait(false))
        {
            if (after is not null && string.CompareOrdinal(entry.Name, after) <= 0)
            {
                continue;
            }

            names.Add(entry.Name);
            entryTimes[entry.Name] = entry.LastModified;
        }

        names.Sort(StringComparer.Ordinal);
        var blobs = new List<CatalogUpdateBlob>(names.Count);
        foreach (var name in names)
        {
            if (!_read.TryGetValue(name, out var blob))
            {
                var stored = await _store.ReadAsync(ContainerNames.Catalog, name, cancellationToken).ConfigureAwait(false);
                if (stored is null)
                {
                    vanished = true;
                    continue;
                }

                var sink = new ItemList();
                using (var stream = new MemoryStream(stored.Content.ToArray(), writable: false))
                {
                    _reader.Read(stream, $"{ContainerNames.Catalog}/{name}", CatalogFileFormat.JsonLines, sink, cancellationToken);
                }

                blob = new CatalogUpdateBlob(name, TimeOf(name) ?? entryTimes[name], sink.Items);
                _read[name] = blob;
            }

            blobs.Add(blob);
        }

        return (blobs, vanished);
    }

    /// <summary>Returns the latest state of every item <paramref name="blobs"/> name, folded in the order given (name order).</summary>
    public static Dictionary<string, LiveItemState> Fold(IEnumerable<CatalogUpdateBlob> blobs)
    {
        ArgumentNullException.ThrowIfNull(blobs);
        var states = new Dictionary<string, LiveItemState>(StringComparer.Ordinal);
        foreach (var blob in blobs)
        {
            foreach (var item in blob.Items)
            {
                var firstSeen = states.TryGetValue(item.ItemId, out var earlier) ? earlier.FirstSeen : item.FirstSeen ?? blob.WrittenAt;
                states[item.ItemId] = new LiveItemState(item, firstSeen);
            }
        }

        return states;
    }

    /// <summary>Reads the time an update blob was written from its name, or null for another name.</summary>
    public static DateTimeOffset? TimeOf(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var start = name.StartsWith(Prefix, StringComparison.Ordinal) ? Prefix.Length : 0;
        return name.Length >= start + TimeFormat.Length
            && DateTime.TryParseExact(name.AsSpan(start, TimeFormat.Length), TimeFormat, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var time)
            ? new DateTimeOffset(time, TimeSpan.Zero)
            : null;
    }

    private sealed class ItemList : ICatalogSink
    {
        public List<CatalogItem> Items { get; } = [];

        public void OnItem(CatalogItem item) => Items.Add(item);

        public void OnRejected(RejectedLine line)
        {
            // Update blobs are written by this code from validated items; a line that does not parse is skipped.
        }
    }
}
