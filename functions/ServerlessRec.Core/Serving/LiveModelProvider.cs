using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using ServerlessRec.Diagnostics;
using ServerlessRec.Storage;

namespace ServerlessRec.Serving;

/// <summary>
/// Follows <c>models/current.json</c>: loads (and verifies) the version it names, keeps it until the pointer
/// changes, and checks the pointer at most once per <see cref="RefreshInterval"/>. A version that fails to load
/// is not served: the previous one stays live, and the failure is logged, counted
/// (<see cref="ServerlessRecTelemetry.ModelLoadFailures"/>) and reported by <see cref="LastError"/> until a load succeeds.
/// </summary>
public sealed partial class LiveModelProvider : ILiveModelSource, IDisposable
{
    private readonly IBlobStore _store;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ServerlessRecTelemetry? _telemetry;
    private readonly SemaphoreSlim _refresh = new(1, 1);
    private ServingModel? _current;
    private ServingChallenger? _challenger;
    private string? _pointerETag;
    private long _checkedAt = long.MinValue;

    /// <summary>Creates the provider.</summary>
    /// <param name="store">Where the models are.</param>
    /// <param name="time">The clock.</param>
    /// <param name="refreshInterval">How often the pointer is checked (5 seconds by default).</param>
    /// <param name="mode">How much of each version is loaded (<see cref="ServingMode.Embedded"/> by default: all of it).</param>
    /// <param name="logger">Where load failures are logged (nowhere by default).</param>
    /// <param name="telemetry">Where load failures are counted (nowhere by default).</param>
    /// <param name="ivfFromItems">The catalog size from which the embedded index probes the version's IVF lists (<see cref="ServingModel.IvfFromItems"/> by default).</param>
    public LiveModelProvider(IBlobStore store, TimeProvider time, TimeSpan? refreshInterval = null, ServingMode mode = ServingMode.Embedded, ILogger<LiveModelProvider>? logger = null, ServerlessRecTelemetry? telemetry = null, int ivfFromItems = ServingModel.IvfFromItems)
    {
        IvfFromItems = ivfFromItems;
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(time);
        _store = store;
        _time = time;
        RefreshInterval = refreshInterval ?? TimeSpan.FromSeconds(5);
        Mode = mode;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _telemetry = telemetry;
    }

    /// <summary>Gets the catalog size from which the embedded index probes a version's IVF lists.</summary>
    public int IvfFromItems { get; }

    /// <summary>Gets how much of each version is loaded.</summary>
    public ServingMode Mode { get; }

    /// <summary>Gets how often the pointer is checked.</summary>
    public TimeSpan RefreshInterval { get; }

    /// <summary>Gets the last load failure, if the newest pointer could not be served.</summary>
    public string? LastError { get; private set; }

    /// <inheritdoc/>
    public string? LastLoadError => LastError;

    /// <inheritdoc/>
    public ServingChallenger? Challenger => Volatile.Read(ref _challenger);

    /// <inheritdoc/>
    public async ValueTask<ServingModel?> GetCurrentAsync(CancellationToken cancellationToken = default)
    {
        if (CheckedRecently())
        {
            return _current;
        }

        await RefreshAsync(force: false, cancellationToken).ConfigureAwait(false);
        return _current;
    }

    /// <summary>Checks the pointer now and loads a new version when it changed.</summary>
    public async Task RefreshAsync(bool force = true, CancellationToken cancellationToken = default)
    {
        await _refresh.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (!force && CheckedRecently())
            {
                return;
            }

            var (pointer, etag) = await ModelPointer.ReadAsync(_store, cancellationToken).ConfigureAwait(false);
            Interlocked.Exchange(ref _checkedAt, _time.GetTimestamp());
            await RefreshChallengerAsync(cancellationToken).ConfigureAwait(false);
            if (pointer is null || (etag == _pointerETag && _current is not null) || pointer.Version == _current?.Version)
            {
                _pointerETag = etag;
                return;
            }

            try
            {
                var loaded = await ServingModel.LoadAsync(_store, pointer.Version, Mode, IvfFromItems, cancellationToken).ConfigureAwait(false);
                var previous = Interlocked.Exchange(ref _current, loaded);
                _pointerETag = etag;
                LastError = null;

                if (previous is not null)
                {
                    _ = DisposeLaterAsync(previous);
                }
            }
            catch (Onnx.ModelIntegrityException ex)
            {
                // The version itself is broken: it is not tried again until the pointer changes.
                LastError = ex.Message;
                _pointerETag = etag;
                LogModelRejected(_logger, pointer.Version, ex);
                _telemetry?.ModelLoadFailed(pointer.Version);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // Anything else (ONNX Runtime refusing a tower, a storage error) may pass: the next refresh tries again.
                // Meanwhile the previous version keeps serving and health says why.
                LastError = $"model {pointer.Version}: {ex.GetType().Name}: {ex.Message}";
                LogModelLoadFailed(_logger, pointer.Version, ex);
                _telemetry?.ModelLoadFailed(pointer.Version);
            }
        }
        finally
        {
            _refresh.Release();
        }
    }

    // Both versions are loaded on this instance: the challenger follows models/challenger.json on the same refresh as the
    // live pointer. A challenger that cannot be loaded is not served (every user gets the champion) and is tried again.
    private async Task RefreshChallengerAsync(CancellationToken cancellationToken)
    {
        ChallengerPointer? pointer;
        try
        {
            (pointer, _) = await ChallengerPointer.ReadAsync(_store, cancellationToken).ConfigureAwait(false);
        }
        catch (JsonException ex)
        {
            LogChallengerLoadFailed(_logger, ChallengerPointer.BlobName, ex);
            pointer = null;
        }

        var current = _challenger;
        if (pointer is null)
        {
            if (Interlocked.Exchange(ref _challenger, null) is { } stopped)
            {
                _ = DisposeLaterAsync(stopped.Model);
            }

            return;
        }

        if (current?.Model.Version == pointer.Version)
        {
            if (!current.Share.Equals(pointer.Share))
            {
                Volatile.Write(ref _challenger, current with { Share = pointer.Share });
            }

            return;
        }

        try
        {
            var loaded = await ServingModel.LoadAsync(_store, pointer.Version, Mode, IvfFromItems, cancellationToken).ConfigureAwait(false);
            if (Interlocked.Exchange(ref _challenger, new ServingChallenger(loaded, pointer.Share)) is { } previous)
            {
                _ = DisposeLaterAsync(previous.Model);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogChallengerLoadFailed(_logger, pointer.Version, ex);
            if (Interlocked.Exchange(ref _challenger, null) is { } previous)
            {
                _ = DisposeLaterAsync(previous.Model);
            }
        }
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        _challenger?.Model.Dispose();
        _current?.Dispose();
        _refresh.Dispose();
    }

    /// <summary>
    /// Whether the pointer was checked less than <see cref="RefreshInterval"/> ago and something came of it: a model, or a
    /// failed load (which is not tried again on every request while no model is live).
    /// </summary>
    private bool CheckedRecently() =>
        (_current is not null || LastError is not null) && _time.GetElapsedTime(Interlocked.Read(ref _checkedAt)) < RefreshInterval;

    [LoggerMessage(EventId = 2301, Level = LogLevel.Error, Message = "Model {Version} failed its integrity check and is not served; the previous version (if any) keeps serving")]
    private static partial void LogModelRejected(ILogger logger, string version, Exception exception);

    [LoggerMessage(EventId = 2302, Level = LogLevel.Error, Message = "Model {Version} could not be loaded; the previous version (if any) keeps serving and the load is tried again")]
    private static partial void LogModelLoadFailed(ILogger logger, string version, Exception exception);

    [LoggerMessage(EventId = 2303, Level = LogLevel.Error, Message = "Challenger {Version} could not be loaded; every user gets the live version and the load is tried again")]
    private static partial void LogChallengerLoadFailed(ILogger logger, string version, Exception exception);

    private async Task DisposeLaterAsync(ServingModel previous)
    {
        // Requests that already hold the previous model finish within this grace period.
        await Task.Delay(TimeSpan.FromSeconds(30), _time).ConfigureAwait(false);
        previous.Dispose();
    }
}
