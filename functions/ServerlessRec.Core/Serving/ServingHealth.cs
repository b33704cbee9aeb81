using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace ServerlessRec.Serving;

/// <summary>
/// What this instance knows about the health of the services serving depends on: a remote index that failed or timed
/// out recently makes <c>/api/health</c> answer <c>degraded</c> with the reason, while requests are answered from the
/// fallback. Thread-safe; one per instance.
/// </summary>
public sealed partial class ServingHealth
{
    private readonly TimeProvider _time;
    private readonly TimeSpan _degradedFor;
    private readonly ILogger _logger;
    private readonly Lock _lock = new();
    private DateTimeOffset? _lastFailure;
    private DateTimeOffset? _lastSuccess;
    private string? _lastReason;
    private long _failures;

    /// <summary>Creates the tracker.</summary>
    public ServingHealth(TimeProvider time, ServingOptions? options = null, ILogger<ServingHealth>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(time);
        _time = time;
        _degradedFor = (options ?? new ServingOptions()).DegradedFor;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    /// <summary>Gets how many searches fell back since the instance started.</summary>
    public long SearchFailures => Interlocked.Read(ref _failures);

    /// <summary>Records a remote search that answered in time.</summary>
    public void SearchSucceeded()
    {
        lock (_lock)
        {
            _lastSuccess = _time.GetUtcNow();
        }
    }

    /// <summary>Records a remote search that failed or timed out; the request was answered from <paramref name="fallback"/>.</summary>
    public void SearchFailed(string version, string reason, string fallback, Exception? exception = null)
    {
        Interlocked.Increment(ref _failures);
        lock (_lock)
        {
            _lastFailure = _time.GetUtcNow();
            _lastReason = $"search for model {version} {reason}; answering from {fallback}";
        }

        LogSearchFallback(_logger, version, reason, fallback, exception);
    }

    /// <summary>Returns why the instance is degraded now (empty when it is not).</summary>
    public IReadOnlyList<string> DegradedReasons()
    {
        lock (_lock)
        {
            if (_lastFailure is not { } failed)
            {
                return [];
            }

            var recent = _time.GetUtcNow() - failed < _degradedFor;
            var notRecovered = _lastSuccess is not { } ok || ok < failed;
            return recent || notRecovered ? [$"{_lastReason} (last at {failed:yyyy-MM-ddTHH:mm:ssZ})"] : [];
        }
    }

    [LoggerMessage(EventId = 2201, Level = LogLevel.Warning, Message = "Search for model {Version} {Reason}; the request was answered from {Fallback}")]
    private static partial void LogSearchFallback(ILogger logger, string version, string reason, string fallback, Exception? exception);
}
