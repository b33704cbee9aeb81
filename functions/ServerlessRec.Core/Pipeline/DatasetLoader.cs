using ServerlessRec.Events;
using ServerlessRec.Storage;
using ServerlessRec.Training;

namespace ServerlessRec.Pipeline;

/// <summary>
/// Reads event logs and catalogs (files or blobs) through the validating readers into an
/// <see cref="InteractionDatasetBuilder"/>. Every rejected line goes to the given quarantine sink and is
/// counted in <see cref="Summary"/>; a bad line never stops the load.
/// </summary>
public sealed class DatasetLoader : IEventSink, ICatalogSink
{
    private readonly InteractionDatasetBuilder _builder;
    private readonly EventFileReader _reader;
    private readonly CatalogReader _catalogReader;
    private readonly IRejectedLineSink? _quarantine;

    /// <summary>Creates a loader.</summary>
    /// <param name="types">The configured event types.</param>
    /// <param name="featureBuckets">Hash buckets for categories and tags.</param>
    /// <param name="quarantine">Where rejected lines go (a <see cref="QuarantineWriter"/>); null only counts them.</param>
    /// <param name="readerOptions">Reader limits.</param>
    public DatasetLoader(EventTypeOptions types, int featureBuckets, IRejectedLineSink? quarantine = null, EventReaderOptions? readerOptions = null)
    {
        ArgumentNullException.ThrowIfNull(types);
        _builder = new InteractionDatasetBuilder(types, featureBuckets);
        _reader = new EventFileReader(types, readerOptions);
        _catalogReader = new CatalogReader(readerOptions);
        _quarantine = quarantine;
    }

    /// <summary>Gets what the event files read so far contained.</summary>
    public IngestSummary Summary { get; private set; } = IngestSummary.Empty;

    /// <summary>Gets what the catalog files read so far contained.</summary>
    public IngestSummary CatalogSummary { get; private set; } = IngestSummary.Empty;

    /// <summary>Excludes every event of these users (users who asked to be forgotten).</summary>
    public void ExcludeUsers(IEnumerable<string> userIds) => _builder.ExcludeUsers(userIds);

    /// <summary>Excludes the events of forgotten users (by id hash) that happened at or before they asked to be forgotten.</summary>
    public void ExcludeForgottenUsers(Serving.ForgottenUserSet tombstones) => _builder.ExcludeForgottenUsers(tombstones);

    /// <summary>Gets the number of events skipped because their user was excluded.</summary>
    public long ExcludedEventCount => _builder.ExcludedEventCount;

    /// <summary>Gets the number of exact duplicate events kept once by the last <see cref="Build"/> (a post logged twice).</summary>
    public long DuplicateEventCount => _builder.DuplicateEventCount;

    /// <summary>Reads a catalog (items.jsonl or MovieLens movies.csv).</summary>
    public async Task<EventFileSummary> AddCatalogAsync(Stream stream, string fileName, CatalogFileFormat format, CancellationToken cancellationToken = default)
    {
        var summary = await _catalogReader.ReadAsync(stream, fileName, format, this, cancellationToken).ConfigureAwait(false);
        CatalogSummary = CatalogSummary.Add(summary);
        return summary;
    }

    /// <summary>Reads one event file.</summary>
    public async Task<EventFileSummary> AddEventsAsync(Stream stream, string fileName, EventFileFormat format, CancellationToken cancellationToken = default)
    {
        var summary = await _reader.ReadAsync(stream, fileName, format, this, cancellationToken).ConfigureAwait(false);
        Summary = Summary.Add(summary);
        return summary;
    }

    /// <summary>Reads every event blob under a prefix (format from each name; other names are skipped and returned).</summary>
    public async Task<IReadOnlyList<string>> AddEventsFromStoreAsync(IBlobStore store, string container = ContainerNames.Events, string prefix = "", IProgress<EventFileSummary>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        var skipped = new List<string>();
        await foreach (var blob in store.ListAsync(container, prefix, cancellationToken).ConfigureAwait(false))
        {
            if (!EventFileFormat.TryFromFileName(blob.Name, out var format))
            {
                skipped.Add(blob.Name);
                continue;
            }

            var stream = await store.OpenReadAsync(container, blob.Name, cancellationToken).ConfigureAwait(false);
            if (stream is null)
            {
                continue;
            }

            await using (stream.ConfigureAwait(false))
            {
                var summary = await AddEventsAsync(stream, $"{container}/{blob.Name}", format, cancellationToken).ConfigureAwait(false);
                progress?.Report(summary);
            }
        }

        return skipped;
    }

    /// <summary>
    /// Gets the name of the newest catalog update blob <see cref="AddCatalogUpdatesFromStoreAsync"/> read (null: none): the
    /// catalog watermark a model trained on this data records, so what came later can be replayed into its index.
    /// </summary>
    public string? LastCatalogUpdate { get; private set; }

    /// <summary>Reads the catalog blob when it exists; returns false otherwise.</summary>
    public async Task<bool> AddCatalogFromStoreAsync(IBlobStore store, string name = SyntheticLogGenerator.CatalogBlobName, string container = ContainerNames.Catalog, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        var stream = await store.OpenReadAsync(container, name, cancellationToken).ConfigureAwait(false);
        if (stream is null)
        {
            return false;
        }

        await using (stream.ConfigureAwait(false))
        {
            await AddCatalogAsync(stream, $"{container}/{name}", CatalogReader.FormatFromFileName(name), cancellationToken).ConfigureAwait(false);
        }

        return true;
    }

    /// <summary>
    /// Reads the catalog updates of the API (<c>catalog/updates/*.jsonl</c>, <see cref="Catalog.CatalogUpdateStore"/>) in
    /// name order, after the catalog blob: a later line replaces an item's features and availability, a delete makes it
    /// unavailable. Returns how many update blobs were read.
    /// </summary>
    public async Task<int> AddCatalogUpdatesFromStoreAsync(IBlobStore store, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        var names = new List<string>();
        await foreach (var blob in store.ListAsync(ContainerNames.Catalog, Catalog.CatalogUpdateStore.Prefix, cancellationToken).ConfigureAwait(false))
        {
            names.Add(blob.Name);
        }

        names.Sort(StringComparer.Ordinal);
        var read = 0;
        foreach (var name in names)
        {
            var stream = await store.OpenReadAsync(ContainerNames.Catalog, name, cancellationToken).ConfigureAwait(false);
            if (stream is null)
            {
                continue;
            }

            await using (stream.ConfigureAwait(false))
            {
                await AddCatalogAsync(stream, $"{ContainerNames.Catalog}/{name}", CatalogFileFormat.JsonLines, cancellationToken).ConfigureAwait(false);
                LastCatalogUpdate = name;
                read++;
            }
        }

        return read;
    }

    /// <summary>Builds the dataset from everything read.</summary>
    public InteractionDataset Build() => _builder.Build();

    void IEventSink.OnEvent(in InteractionEvent e) => _builder.Add(e);

    void ICatalogSink.OnItem(CatalogItem item)
    {
        if (item.Deleted)
        {
            _builder.MarkUnavailable(item.ItemId);
        }
        else
        {
            _builder.AddItemFeatures(item.ItemId, item.Categories, item.Tags, item.Available);
        }
    }

    void IRejectedLineSink.OnRejected(RejectedLine line) => _quarantine?.OnRejected(line);
}
