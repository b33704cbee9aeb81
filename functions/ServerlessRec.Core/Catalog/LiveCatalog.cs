using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using ServerlessRec.Serving;
using ServerlessRec.Storage;

namespace ServerlessRec.Catalog;

/// <summary>
/// One instance's view of the catalog updates (<see cref="CatalogUpdateStore"/>): it lists them at most once per
/// <see cref="RefreshInterval"/> (the live pointer's 5 seconds by default), so an availability change reaches every
/// instance within that time, and builds the <see cref="CatalogOverlay"/> of the live model version from them. The
/// instance that accepted an update applies it at once (<see cref="Apply"/>). Item vectors are computed here, once per
/// instance and model version, rather than by the writer: they depend on the version an instance serves (two versions
/// can be live side by side for a refresh interval), and the item tower costs microseconds an item.
/// </summary>
public sealed partial class LiveCatalog : IDisposable
{
    private readonly ILogger _logger;
    private readonly CatalogUpdateStore _updates;
    private readonly IBlobStore _store;
    private readonly TimeProvider _time;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly object _blobsLock = new();
    private readonly SortedDictionary<string, CatalogUpdateBlob> _blobs = new(StringComparer.Ordinal);
    private long _generation;
    private long _checkedAt = long.MinValue;
    private CatalogOverlay? _overlay;

    /// <summary>Creates the view.</summary>
    /// <param name="updates">Where the updates are.</param>
    /// <param name="store">Where the models are (the item tower is read from there when an item first needs a vector).</param>
    /// <param name="time">The clock.</param>
    /// <param name="refreshInterval">How often the updates are listed (5 seconds by default, as the live pointer).</param>
    /// <param name="logger">Where a failed listing is reported (none by default).</param>
    public LiveCatalog(CatalogUpdateStore updates, IBlobStore store, TimeProvider time, TimeSpan? refreshInterval = null, ILogger<LiveCatalog>? logger = null)
    {
        _logger = logger ?? (ILogger)NullLogger.Instance;
        ArgumentNullException.ThrowIfNull(updates);
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(time);
        _updates = updates;
        _store = store;
        _time = time;
        RefreshInterval = refreshInterval ?? TimeSpan.FromSeconds(5);
    }

    /// <summary>Gets how often the updates are listed.</summary>
    public TimeSpan RefreshInterval { get; }

    /// <summary>Gets the update store.</summary>
    public CatalogUpdateStore Updates => _updates;

    /// <summary>Adds an update blob this instance wrote, so its own next request sees it without waiting for a refresh.</summary>
    public void Apply(CatalogUpdateBlob blob)
    {
        ArgumentNullException.ThrowIfNull(blob);
        lock (_blobsLock)
        {
            if (_blobs.TryAdd(blob.Name, blob))
            {
                _generation++;
            }
        }
    }

    /// <summary>Returns the overlay of the catalog updates on <paramref name="model"/>, listing the updates when due.</summary>
    public async ValueTask<CatalogOverlay> OverlayForAsync(ServingModel model, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        var overlay = Volatile.Read(ref _overlay);
        if (overlay is not null && overlay.Version == model.Version && overlay.Generation == Generation && !RefreshDue())
        {
            return overlay;
        }

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (RefreshDue())
            {
                IReadOnlyList<CatalogUpdateBlob> blobs = [];
                try
                {
                    blobs = await _updates.ReadAllAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    // Requests keep the updates already read (availability included) rather than fail with the store;
                    // the listing is tried again after the refresh interval.
                    LogRefreshFailed(_logger, ex.GetType().Name, ex);
                }

                Interlocked.Exchange(ref _checkedAt, _time.GetTimestamp());
                lock (_blobsLock)
                {
                    foreach (var blob in blobs)
                    {
                        if (_blobs.TryAdd(blob.Name, blob))
                        {
                            _generation++;
                        }
                    }
                }
            }

            overlay = _overlay;
            var generation = Generation;
            if (overlay is not null && overlay.Version == model.Version && overlay.Generation == generation)
            {
                return overlay;
            }

            var states = Fold(generation);
            overlay = states.Count == 0
                ? CatalogOverlay.EmptyFor(model.Version, generation)
                : await CatalogOverlay.BuildAsync(model, generation, states, overlay, token => model.ItemTowerAsync(_store, token), cancellationToken).ConfigureAwait(false);
            Volatile.Write(ref _overlay, overlay);
            return overlay;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Returns the latest state of every item the updates name, folded in name order.</summary>
    public Dictionary<string, LiveItemState> Fold() => Fold(Generation);

    /// <summary>Lists the updates now (not waiting for the refresh interval) and returns the latest state of every item.</summary>
    public async Task<Dictionary<string, LiveItemState>> ReadStatesAsync(CancellationToken cancellationToken = default)
    {
        var blobs = await _updates.ReadAllAsync(cancellationToken).ConfigureAwait(false);
        foreach (var blob in blobs)
        {
            Apply(blob);
        }

        return Fold();
    }

    /// <summary>
    /// Computes an item's vector on <paramref name="model"/> with its item tower, as <see cref="CatalogService"/> merges it
    /// into a remote index (the query of <c>similar</c> for an item the catalog API changed, when no delta segment is kept).
    /// </summary>
    public async Task<float[]> VectorOfAsync(ServingModel model, Events.CatalogItem item, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(item);
        var indexed = await CatalogService.VectorsAsync(model, _store, [item], cancellationToken).ConfigureAwait(false);
        return indexed[0].Vector.ToArray();
    }

    /// <inheritdoc/>
    public void Dispose() => _gate.Dispose();

    [LoggerMessage(EventId = 1601, Level = LogLevel.Warning, Message = "Listing the catalog updates failed ({ExceptionType}); serving keeps the updates already read and tries again after the refresh interval")]
    private static partial void LogRefreshFailed(ILogger logger, string exceptionType, Exception exception);

    private long Generation
    {
        get
        {
            lock (_blobsLock)
            {
                return _generation;
            }
        }
    }

    private bool RefreshDue()
    {
        var checkedAt = Interlocked.Read(ref _checkedAt);
        return checkedAt == long.MinValue || _time.GetElapsedTime(checkedAt) >= RefreshInterval;
    }

    private Dictionary<string, LiveItemState> Fold(long generation)
    {
        _ = generation;
        List<CatalogUpdateBlob> blobs;
        lock (_blobsLock)
        {
            blobs = [.. _blobs.Values];
        }

        return CatalogUpdateStore.Fold(blobs);
    }
}
