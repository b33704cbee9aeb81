using System.Text.Json;
using System.Text.Json.Serialization;
using ServerlessRec.Storage;

namespace ServerlessRec.Serving;

/// <summary><c>models/current.json</c>: which model version serves traffic.</summary>
public sealed record ModelPointer
{
    /// <summary>The pointer's blob name in the models container.</summary>
    public const string BlobName = "current.json";

    [JsonPropertyName("version")]
    public required string Version { get; init; }

    [JsonPropertyName("activatedAt")]
    public required DateTimeOffset ActivatedAt { get; init; }

    [JsonPropertyName("previousVersion")]
    public string? PreviousVersion { get; init; }

    /// <summary>Reads the pointer and its ETag, or (null, null) when no model was ever activated.</summary>
    public static async Task<(ModelPointer? Pointer, string? ETag)> ReadAsync(IBlobStore store, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        var blob = await store.ReadAsync(ContainerNames.Models, BlobName, cancellationToken).ConfigureAwait(false);
        return blob is null ? (null, null) : (JsonSerializer.Deserialize<ModelPointer>(blob.Content.Span), blob.ETag);
    }

    /// <summary>Flips the pointer atomically: only if it still has <paramref name="expectedETag"/> (null: only if absent).</summary>
    public static Task<string> WriteAsync(IBlobStore store, ModelPointer modelPointer, string? expectedETag, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        var condition = expectedETag is null ? BlobWriteCondition.CreateOnly : BlobWriteCondition.Matching(expectedETag);
        return store.WriteAsync(ContainerNames.Models, BlobName, JsonSerializer.SerializeToUtf8Bytes(modelPointer), condition, cancellationToken);
    }
}

/// <summary>Gives the live model to request handlers.</summary>
public interface ILiveModelSource
{
    /// <summary>Returns the live model, or null when no model has been activated yet.</summary>
    ValueTask<ServingModel?> GetCurrentAsync(CancellationToken cancellationToken = default);

    /// <summary>Gets why the newest activated version could not be loaded (the previous one keeps serving), or null.</summary>
    string? LastLoadError => null;
}

/// <summary>
/// Follows <c>models/current.json</c>: loads (and verifies) the version it names, keeps it until the pointer
/// changes, and checks the pointer at most once per <see cref="RefreshInterval"/>. A version that fails to load
/// is not served: the previous one stays live and the failure is reported by <see cref="LastError"/>.
/// </summary>
public sealed class LiveModelProvider : ILiveModelSource, IDisposable
{
    private readonly IBlobStore _store;
    private readonly TimeProvider _time;
    private readonly SemaphoreSlim _refresh = new(1, 1);
    private ServingModel? _current;
    private string? _pointerETag;
    private long _checkedAt = long.MinValue;

    /// <summary>Creates the provider.</summary>
    /// <param name="store">Where the models are.</param>
    /// <param name="time">The clock.</param>
    /// <param name="refreshInterval">How often the pointer is checked (5 seconds by default).</param>
    /// <param name="mode">How much of each version is loaded (<see cref="ServingMode.Embedded"/> by default: all of it).</param>
    /// <param name="ivfFromItems">The catalog size from which the embedded index probes the version's IVF lists (<see cref="ServingModel.IvfFromItems"/> by default).</param>
    public LiveModelProvider(IBlobStore store, TimeProvider time, TimeSpan? refreshInterval = null, ServingMode mode = ServingMode.Embedded, int ivfFromItems = ServingModel.IvfFromItems)
    {
        IvfFromItems = ivfFromItems;
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(time);
        _store = store;
        _time = time;
        RefreshInterval = refreshInterval ?? TimeSpan.FromSeconds(5);
        Mode = mode;
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
    public async ValueTask<ServingModel?> GetCurrentAsync(CancellationToken cancellationToken = default)
    {
        var now = _time.GetTimestamp();
        if (_current is not null && _time.GetElapsedTime(Interlocked.Read(ref _checkedAt), now) < RefreshInterval)
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
            if (!force && _current is not null && _time.GetElapsedTime(Interlocked.Read(ref _checkedAt)) < RefreshInterval)
            {
                return;
            }

            var (pointer, etag) = await ModelPointer.ReadAsync(_store, cancellationToken).ConfigureAwait(false);
            Interlocked.Exchange(ref _checkedAt, _time.GetTimestamp());
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
                LastError = ex.Message;
                _pointerETag = etag;
            }
        }
        finally
        {
            _refresh.Release();
        }
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        _current?.Dispose();
        _refresh.Dispose();
    }

    private async Task DisposeLaterAsync(ServingModel previous)
    {
        // Requests that already hold the previous model finish within this grace period.
        await Task.Delay(TimeSpan.FromSeconds(30), _time).ConfigureAwait(false);
        previous.Dispose();
    }
}
