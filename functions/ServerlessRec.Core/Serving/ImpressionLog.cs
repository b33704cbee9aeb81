using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using ServerlessRec.Diagnostics;
using ServerlessRec.Events;
using ServerlessRec.Storage;

namespace ServerlessRec.Serving;

/// <summary>
/// The server's record of what it showed: for a sampled share (<see cref="ServingOptions.ImpressionSampleRate"/>) of
/// recommendation responses, one <see cref="ImpressionRecord"/> line in the <see cref="ContainerNames.Impressions"/>
/// container, in append blobs that roll like the API event log's (<c>yyyy/MM/dd/HH/api-&lt;instance&gt;.jsonl</c>). The
/// container is not the events container: retraining never lists it, so impressions cost training nothing and can never be
/// read as positives. The online metrics (<see cref="Pipeline.OnlineMetricsCalculator"/>) read it.
/// </summary>
/// <remarks>
/// Whether a response is sampled follows from its id (<see cref="RecommendationIds.SampleFraction"/>): the metrics count
/// only events attributed to logged responses, so a click on a response that was not logged counts in neither the clicks
/// nor the impressions, and the click-through rate stays unbiased at any rate. The user is named by the keyed hash of
/// <see cref="UserIdHasher"/>, never by the id. A failed write is logged and counted, and the response is served anyway:
/// losing one impression must not lose the answer.
/// </remarks>
public sealed partial class ImpressionLog
{
    private static readonly JsonSerializerOptions LineOptions = new() { WriteIndented = false };
    private readonly ApiEventLog _log;
    private readonly UserIdHasherProvider _hashers;
    private readonly TimeProvider _time;
    private readonly ServerlessRecTelemetry? _telemetry;
    private readonly ILogger _logger;

    /// <summary>Creates the log.</summary>
    /// <param name="store">The store holding the impressions container.</param>
    /// <param name="time">The clock (the hour folder).</param>
    /// <param name="instanceId">This host instance's id, in blob names.</param>
    /// <param name="hashers">The user id key.</param>
    /// <param name="sampleRate">The share of responses logged, 0 to 1.</param>
    /// <param name="telemetry">Where logged and failed writes are counted.</param>
    /// <param name="logger">Where failed writes are logged.</param>
    public ImpressionLog(IBlobStore store, TimeProvider time, string instanceId, UserIdHasherProvider hashers, double sampleRate, ServerlessRecTelemetry? telemetry = null, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(hashers);
        ArgumentOutOfRangeException.ThrowIfNegative(sampleRate);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(sampleRate, 1.0);
        _logger = logger ?? NullLogger.Instance;
        _log = new ApiEventLog(store, time, instanceId, ContainerNames.Impressions, logger: _logger);
        _hashers = hashers;
        _time = time;
        SampleRate = sampleRate;
        _telemetry = telemetry;
    }

    /// <summary>Gets the share of responses logged.</summary>
    public double SampleRate { get; }

    /// <summary>Returns whether the response with this id is logged.</summary>
    public bool IsSampled(string recommendationId) => SampleRate > 0 && RecommendationIds.SampleFraction(recommendationId) < SampleRate;

    /// <summary>
    /// Logs a response when it is sampled. Returns whether it was written; a failed write is logged at Warning and counted
    /// (<see cref="ServerlessRecTelemetry.ImpressionsLogged"/> with <c>outcome</c> <c>failed</c>), never thrown.
    /// </summary>
    /// <param name="userId">The user it was shown to (<see langword="null"/> for similar items).</param>
    /// <param name="response">The response as sent.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    public async Task<bool> TryLogAsync(string? userId, RecommendationResponse response, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(response);
        if (response.Items.Count == 0 || !IsSampled(response.RecommendationId))
        {
            return false;
        }

        var source = RecommenderService.SourceName(response.Source);
        try
        {
            var userHash = userId is null ? null : (await _hashers.GetAsync(cancellationToken).ConfigureAwait(false)).Hash(userId);
            var record = new ImpressionRecord
            {
                RecommendationId = response.RecommendationId,
                ServedAt = _time.GetUtcNow(),
                UserHash = userHash,
                ModelVersion = response.ModelVersion,
                Arm = response.Arm,
                Source = source,
                ItemIds = response.Items.Select(i => i.ItemId).ToList(),
            };
            var line = JsonSerializer.SerializeToUtf8Bytes(record, LineOptions);
            var bytes = new byte[line.Length + 1];
            line.CopyTo(bytes, 0);
            bytes[^1] = (byte)'\n';
            await _log.AppendLinesAsync(bytes, cancellationToken).ConfigureAwait(false);
            _telemetry?.ImpressionsWereLogged(source, succeeded: true, response.Items.Count);
            return true;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Handled, not swallowed: logged with the exception and counted; the answer itself is unaffected.
            _telemetry?.ImpressionsWereLogged(source, succeeded: false, response.Items.Count);
            LogImpressionNotLogged(_logger, response.ModelVersion, ex.GetType().Name, ex);
            return false;
        }
    }

    /// <summary>The day folders (<c>yyyy/MM/dd/</c>) that hold records served in [<paramref name="from"/>, <paramref name="to"/>).</summary>
    public static IEnumerable<string> DayPrefixes(DateTimeOffset from, DateTimeOffset to)
    {
        for (var day = from.UtcDateTime.Date; day < to.UtcDateTime; day = day.AddDays(1))
        {
            yield return day.ToString("yyyy'/'MM'/'dd'/'", CultureInfo.InvariantCulture);
        }
    }

    /// <summary>
    /// Reads the records served in [<paramref name="from"/>, <paramref name="to"/>); <paramref name="unreadable"/> is told
    /// about each line that is not a record (named by blob and line number), which is skipped.
    /// </summary>
    public static async IAsyncEnumerable<ImpressionRecord> ReadAsync(IBlobStore store, DateTimeOffset from, DateTimeOffset to, Action<string> unreadable, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(unreadable);
        foreach (var prefix in DayPrefixes(from, to))
        {
            var names = new List<string>();
            await foreach (var blob in store.ListAsync(ContainerNames.Impressions, prefix, cancellationToken).ConfigureAwait(false))
            {
                names.Add(blob.Name);
            }

            foreach (var name in names)
            {
                var content = await store.ReadAsync(ContainerNames.Impressions, name, cancellationToken).ConfigureAwait(false);
                if (content is null)
                {
                    continue;
                }

                var lineNumber = 0;
                foreach (var line in Encoding.UTF8.GetString(content.Content.Span).Split('\n'))
                {
                    lineNumber++;
                    if (line.Length == 0)
                    {
                        continue;
                    }

                    var record = Parse(line);
                    if (record is null)
                    {
                        unreadable($"{ContainerNames.Impressions}/{name} line {lineNumber}");
                    }
                    else if (record.ServedAt >= from && record.ServedAt < to)
                    {
                        yield return record;
                    }
                }
            }
        }
    }

    private static ImpressionRecord? Parse(string line)
    {
        try
        {
            var record = JsonSerializer.Deserialize<ImpressionRecord>(line);
            return record is { RecommendationId.Length: > 0, ModelVersion.Length: > 0, ItemIds: not null } ? record : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    [LoggerMessage(EventId = 1201, Level = LogLevel.Warning, Message = "Could not log the impressions of a response of model {ModelVersion} ({ExceptionType}); the response was served")]
    private static partial void LogImpressionNotLogged(ILogger logger, string modelVersion, string exceptionType, Exception exception);
}
