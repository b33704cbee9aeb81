using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using ServerlessRec.Storage;

namespace ServerlessRec.Events;

/// <summary>
/// Appends events posted to <c>/api/events</c> to the events container as contract JSON Lines, one append blob per
/// host instance and hour: <c>yyyy/MM/dd/HH/api-&lt;instance&gt;.jsonl</c> (the hour the events were received), rolling
/// over to <c>api-&lt;instance&gt;-0001.jsonl</c>, <c>-0002</c>, … every <see cref="DefaultMaxAppendsPerBlob"/> appends, well
/// before a blob reaches the most blocks an append blob holds. Retraining reads these blobs like any other log file.
/// </summary>
/// <remarks>
/// <para>
/// Each <see cref="AppendAsync"/> is one append block (one atomic write) holding all its events, so a post is in the
/// log whole or not at all. An append blob takes at most <see cref="BlobAppendLimits.MaxBlocksPerBlob"/> blocks: the
/// log counts the appends it makes to the current blob and moves to the next name once
/// <see cref="MaxAppendsPerBlob"/> are reserved. When the store still reports the blob full (another process with the
/// same instance id, or this one before a restart, filled it), it moves past the highest blob of this instance and
/// hour and appends again. Both are safe under concurrent calls.
/// </para>
/// </remarks>
public sealed partial class ApiEventLog
{
    /// <summary>
    /// The default appends per blob: 10,000, a fifth of the 50,000 blocks an append blob takes. Smaller blobs spread the
    /// retraining's per-blob compact fan-out, and Azurite serves an append blob in time proportional to its blocks (one
    /// GET of a 50,000-block blob took over 100 s there and failed; ranged reads took 3 s each).
    /// </summary>
    public const int DefaultMaxAppendsPerBlob = 10_000;

    /// <summary>How many full blobs one append may skip before it gives up (each skip is one refused append).</summary>
    private const int MaxRollovers = 64;

    private readonly IBlobStore _store;
    private readonly TimeProvider _time;
    private readonly string _container;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private string? _hour;
    private int _index;
    private long _reserved;

    /// <summary>Creates the log.</summary>
    /// <param name="store">The store holding the events container.</param>
    /// <param name="time">The clock that picks the hour folder.</param>
    /// <param name="instanceId">This host instance's id: letters, digits, '-', '_' and '.'; other characters become '-'.</param>
    /// <param name="container">The events container.</param>
    /// <param name="maxAppendsPerBlob">
    /// The appends this log makes to one blob before it moves to the next name, 1 to
    /// <see cref="BlobAppendLimits.MaxBlocksPerBlob"/>. The default is <see cref="DefaultMaxAppendsPerBlob"/> (10,000).
    /// </param>
    /// <param name="logger">Where rollovers are logged.</param>
    public ApiEventLog(IBlobStore store, TimeProvider time, string instanceId, string container = ContainerNames.Events, int maxAppendsPerBlob = DefaultMaxAppendsPerBlob, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentException.ThrowIfNullOrEmpty(instanceId);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxAppendsPerBlob, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maxAppendsPerBlob, BlobAppendLimits.MaxBlocksPerBlob);
        _store = store;
        _time = time;
        _container = container;
        _logger = logger ?? NullLogger.Instance;
        MaxAppendsPerBlob = maxAppendsPerBlob;
        InstanceId = string.Create(instanceId.Length, instanceId, static (span, id) =>
        {
            for (var i = 0; i < id.Length; i++)
            {
                span[i] = char.IsAsciiLetterOrDigit(id[i]) || id[i] is '-' or '_' or '.' ? id[i] : '-';
            }
        });
    }

    /// <summary>Gets the instance id used in blob names.</summary>
    public string InstanceId { get; }

    /// <summary>Gets how many appends this log makes to one blob before it rolls over to the next name.</summary>
    public int MaxAppendsPerBlob { get; }

    /// <summary>
    /// Returns the name of this instance's blob number <paramref name="index"/> of the hour of <paramref name="time"/>:
    /// <c>yyyy/MM/dd/HH/api-&lt;instance&gt;.jsonl</c> for 0, <c>…/api-&lt;instance&gt;-0001.jsonl</c> for 1, and so on.
    /// </summary>
    public string BlobName(DateTimeOffset time, int index = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        return BlobName(HourFolder(time), index);
    }

    /// <summary>
    /// Appends validated events in one append block (one JSON line each) and returns the blob name. The events are in the
    /// log once this returns; when it throws they are not (unless the store failed after taking the block).
    /// </summary>
    public async Task<string> AppendAsync(IReadOnlyList<InteractionEvent> events, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(events);
        if (events.Count == 0)
        {
            return BlobName(_time.GetUtcNow());
        }

        using var lines = new JsonLineBuffer(events.Count * 128);
        foreach (var e in events)
        {
            lines.WriteEvent(e);
        }

        return await AppendLinesAsync(lines.Written, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Appends ready JSON Lines (each ending in a newline) in one append block and returns the blob name: the rolling of
    /// <see cref="AppendAsync"/> for logs of other records (the impression log).
    /// </summary>
    public async Task<string> AppendLinesAsync(ReadOnlyMemory<byte> lines, CancellationToken cancellationToken = default)
    {
        var blocks = BlobAppendLimits.BlocksFor(lines.Length);
        for (var attempt = 1; ; attempt++)
        {
            var (hour, index) = Reserve(blocks);
            var name = BlobName(hour, index);
            try
            {
                await _store.AppendAsync(_container, name, lines, cancellationToken).ConfigureAwait(false);
                return name;
            }
            catch (AppendBlobFullException) when (attempt < MaxRollovers)
            {
                // Filled by appends this process did not count: skip past every blob of this instance and hour we can see.
                var highest = await HighestIndexAsync(hour, cancellationToken).ConfigureAwait(false);
                var next = Math.Max(index + 1, highest);
                lock (_gate)
                {
                    if (_hour == hour && _index == index)
                    {
                        _index = next;
                        _reserved = 0;
                    }
                }

                LogFullBlob(_logger, name, BlobName(hour, next));
            }
        }
    }

    private (string Hour, int Index) Reserve(int blocks)
    {
        var hour = HourFolder(_time.GetUtcNow());
        lock (_gate)
        {
            if (_hour != hour)
            {
                _hour = hour;
                _index = 0;
                _reserved = 0;
            }

            // Move on before the cap: the store would refuse the block that goes over it.
            if (_reserved + blocks > MaxAppendsPerBlob && _reserved > 0)
            {
                _index++;
                _reserved = 0;
                LogRolledOver(_logger, _index, MaxAppendsPerBlob);
            }

            _reserved += blocks;
            return (hour, _index);
        }
    }

    private async Task<int> HighestIndexAsync(string hour, CancellationToken cancellationToken)
    {
        var prefix = $"{hour}/api-{InstanceId}";
        var highest = 0;
        await foreach (var blob in _store.ListAsync(_container, prefix, cancellationToken).ConfigureAwait(false))
        {
            var rest = blob.Name.AsSpan(prefix.Length);
            if (rest.Length > 7 && rest[0] == '-' && rest.EndsWith(".jsonl", StringComparison.Ordinal)
                && int.TryParse(rest[1..^6], NumberStyles.None, CultureInfo.InvariantCulture, out var index))
            {
                highest = Math.Max(highest, index);
            }
        }

        return highest;
    }

    private static string HourFolder(DateTimeOffset time)
    {
        var utc = time.UtcDateTime;
        return string.Create(CultureInfo.InvariantCulture, $"{utc:yyyy}/{utc:MM}/{utc:dd}/{utc:HH}");
    }

    private string BlobName(string hour, int index) => index == 0
        ? $"{hour}/api-{InstanceId}.jsonl"
        : string.Create(CultureInfo.InvariantCulture, $"{hour}/api-{InstanceId}-{index:D4}.jsonl");

    /// <summary>The prefix, in the requests container, of the requests to bring histories up to date from a log blob.</summary>
    public const string HistoryRepairPrefix = "history-repairs/";

    /// <summary>
    /// Records that a log blob holds events some users' histories did not take (a post whose history updates failed after
    /// the log append): the next retraining seeds the users of that blob, as it does for new bulk files. Returns false
    /// (and logs why) when even that could not be written.
    /// </summary>
    public async Task<bool> TryRequestHistoryRepairAsync(string logBlob, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(logBlob);
        try
        {
            var request = System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(new HistoryRepairRequest(logBlob));
            await _store.WriteAsync(ContainerNames.Requests, HistoryRepairName(logBlob), request, BlobWriteCondition.None, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogRepairNotRecorded(_logger, logBlob, ex);
            return false;
        }
    }

    /// <summary>Reads the log blobs whose users' histories must be brought up to date (see <see cref="TryRequestHistoryRepairAsync"/>).</summary>
    public static async Task<HashSet<string>> ReadHistoryRepairsAsync(IBlobStore store, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        var blobs = new HashSet<string>(StringComparer.Ordinal);
        await foreach (var entry in store.ListAsync(ContainerNames.Requests, HistoryRepairPrefix, cancellationToken).ConfigureAwait(false))
        {
            if (await store.ReadAsync(ContainerNames.Requests, entry.Name, cancellationToken).ConfigureAwait(false) is { } stored
                && System.Text.Json.JsonSerializer.Deserialize<HistoryRepairRequest>(stored.Content.Span) is { } request)
            {
                blobs.Add(request.Blob);
            }
        }

        return blobs;
    }

    /// <summary>Removes the repair request of a log blob once its users were seeded.</summary>
    public static Task<bool> ClearHistoryRepairAsync(IBlobStore store, string logBlob, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        return store.DeleteAsync(ContainerNames.Requests, HistoryRepairName(logBlob), cancellationToken: cancellationToken);
    }

    private static string HistoryRepairName(string logBlob) =>
        HistoryRepairPrefix + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(logBlob))) + ".json";

    [LoggerMessage(EventId = 2103, Level = LogLevel.Error, Message = "Could not record that the users of log blob {LogBlob} need their histories brought up to date")]
    private static partial void LogRepairNotRecorded(ILogger logger, string logBlob, Exception exception);

    [LoggerMessage(EventId = 2101, Level = LogLevel.Information, Message = "API event log rolled over to blob number {Index} of this hour after {MaxAppends} appends")]
    private static partial void LogRolledOver(ILogger logger, int index, int maxAppends);

    [LoggerMessage(EventId = 2102, Level = LogLevel.Warning, Message = "API event log blob {FullBlob} was full before this instance counted it full; appending to {NextBlob}")]
    private static partial void LogFullBlob(ILogger logger, string fullBlob, string nextBlob);
}
