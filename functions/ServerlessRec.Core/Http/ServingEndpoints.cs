using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using ServerlessRec.Diagnostics;
using ServerlessRec.Events;
using ServerlessRec.Serving;
using ServerlessRec.Storage;

namespace ServerlessRec.Http;

/// <summary>
/// The HTTP handlers of the API, written once for both hosts: ASP.NET Core <see cref="HttpRequest"/> in,
/// <see cref="IResult"/> out. Every failure goes through <see cref="ApiProblems.FromException"/>.
/// </summary>
public sealed partial class ServingEndpoints
{
    /// <summary>The most events one <c>POST /api/events</c> may carry.</summary>
    public const int MaxEventsPerPost = 1000;

    private readonly RecommenderService _recommender;
    private readonly UserHistoryStore _histories;
    private readonly ForgottenUsers _forgotten;
    private readonly ApiEventLog _eventLog;
    private readonly IdempotencyMarkers _markers;
    private readonly EventTypeOptions _eventTypes;
    private readonly TimeProvider _time;
    private readonly ILogger<ServingEndpoints> _logger;
    private readonly ServerlessRecTelemetry _telemetry;
    private readonly ImpressionLog? _impressions;

    /// <summary>Creates the handlers; with <paramref name="impressions"/>, a sampled share of responses is logged as impressions.</summary>
    public ServingEndpoints(
        RecommenderService recommender,
        UserHistoryStore histories,
        ForgottenUsers forgotten,
        ApiEventLog eventLog,
        IdempotencyMarkers markers,
        EventTypeOptions eventTypes,
        TimeProvider time,
        ILogger<ServingEndpoints> logger,
        ServerlessRecTelemetry telemetry,
        ImpressionLog? impressions = null)
    {
        ArgumentNullException.ThrowIfNull(recommender);
        ArgumentNullException.ThrowIfNull(histories);
        ArgumentNullException.ThrowIfNull(forgotten);
        ArgumentNullException.ThrowIfNull(eventLog);
        ArgumentNullException.ThrowIfNull(markers);
        ArgumentNullException.ThrowIfNull(eventTypes);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(logger);
        ArgumentNullException.ThrowIfNull(telemetry);
        _recommender = recommender;
        _histories = histories;
        _forgotten = forgotten;
        _eventLog = eventLog;
        _markers = markers;
        _eventTypes = eventTypes;
        _time = time;
        _logger = logger;
        _telemetry = telemetry;
        _impressions = impressions;
    }

    /// <summary><c>POST /api/recommendations</c>.</summary>
    public Task<IResult> RecommendAsync(HttpRequest request, CancellationToken cancellationToken = default) =>
        HandleAsync(async () =>
        {
            var body = await RequestBody.ReadAsync<RecommendationRequest>(request, cancellationToken).ConfigureAwait(false);
            var response = await _recommender.RecommendAsync(body, cancellationToken).ConfigureAwait(false);
            await LogImpressionsAsync(body.UserId, response, cancellationToken).ConfigureAwait(false);
            return Results.Json(response, ApiJsonContext.Default.RecommendationResponse);
        });

    /// <summary>
    /// <c>POST /api/events</c>: validates every event (one bad event rejects the post), appends them all to the event log
    /// in one append block (the commit point), then adds them to each user's history; 202 with counts. With an
    /// <c>Idempotency-Key</c> header a repeated post stores nothing twice (see <see cref="IdempotencyMarkers"/>).
    /// </summary>
    /// <remarks>
    /// The log comes first because it is what retraining reads, and the retraining's seeding brings every history up to
    /// date with it: once the log holds the events nothing is lost, whatever fails next. Histories keep each
    /// (item, type, timestamp) once, and a retried key reuses the first receive time as the timestamp of events that had
    /// none, so finishing a post twice changes nothing.
    /// </remarks>
    public Task<IResult> PostEventsAsync(HttpRequest request, CancellationToken cancellationToken = default) =>
        HandleAsync(() => CountingRejectionsAsync(async () =>
        {
            ArgumentNullException.ThrowIfNull(request);
            var key = ReadIdempotencyKey(request);
            var body = await RequestBody.ReadAsync<EventBatchRequest>(request, cancellationToken).ConfigureAwait(false);
            var posted = body.Events ?? throw new RequestValidationException("events", "events is required");
            if (posted.Count == 0 || posted.Count > MaxEventsPerPost)
            {
                throw new RequestValidationException("events", $"events must hold between 1 and {MaxEventsPerPost} events");
            }

            if (key is null)
            {
                var events = ValidateEvents(posted, _time.GetUtcNow());
                var logBlob = await _eventLog.AppendAsync(events, cancellationToken).ConfigureAwait(false);
                return await UpdateHistoriesAsync(events, logBlob, hasKey: false, marker: null, cancellationToken).ConfigureAwait(false);
            }

            return await PostWithKeyAsync(key, posted, cancellationToken).ConfigureAwait(false);
        }));

    /// <summary><c>GET /api/items/{itemId}/similar?k=10&amp;includeUnavailable=false</c>.</summary>
    public Task<IResult> SimilarAsync(HttpRequest request, string itemId, CancellationToken cancellationToken = default) =>
        SimilarAsync(request, () => itemId, cancellationToken);

    /// <summary><c>GET /api/items/similar?itemId=…</c>: <see cref="SimilarAsync(HttpRequest, string, CancellationToken)"/> for any item id (<see cref="RouteIds"/>).</summary>
    public Task<IResult> SimilarByQueryAsync(HttpRequest request, CancellationToken cancellationToken = default) =>
        SimilarAsync(request, () => RouteIds.FromQuery(request, "itemId"), cancellationToken);

    /// <summary><c>GET /api/users/{userId}/vector</c>: 404 when the user has no usable history.</summary>
    public Task<IResult> UserVectorAsync(HttpRequest request, string userId, CancellationToken cancellationToken = default) =>
        UserVectorAsync(() => userId, cancellationToken);

    /// <summary><c>GET /api/users/vector?userId=…</c>: <see cref="UserVectorAsync(HttpRequest, string, CancellationToken)"/> for any user id.</summary>
    public Task<IResult> UserVectorByQueryAsync(HttpRequest request, CancellationToken cancellationToken = default) =>
        UserVectorAsync(() => RouteIds.FromQuery(request, "userId"), cancellationToken);

    /// <summary><c>DELETE /api/users/{userId}</c>: leaves a tombstone (the next retraining drops the user's events) and empties the history for good.</summary>
    public Task<IResult> ForgetUserAsync(HttpRequest request, string userId, CancellationToken cancellationToken = default) =>
        ForgetUserAsync(() => userId, cancellationToken);

    /// <summary><c>DELETE /api/users?userId=…</c>: <see cref="ForgetUserAsync(HttpRequest, string, CancellationToken)"/> for any user id.</summary>
    public Task<IResult> ForgetUserByQueryAsync(HttpRequest request, CancellationToken cancellationToken = default) =>
        ForgetUserAsync(() => RouteIds.FromQuery(request, "userId"), cancellationToken);

    /// <summary><c>GET /api/users/{userId}/export</c>: everything stored about the user (<see cref="UserDataExport"/>); 200 with an empty export for an unknown user.</summary>
    public Task<IResult> ExportUserAsync(HttpRequest request, string userId, CancellationToken cancellationToken = default) =>
        ExportUserAsync(() => userId, cancellationToken);

    /// <summary><c>GET /api/users/export?userId=…</c>: <see cref="ExportUserAsync(HttpRequest, string, CancellationToken)"/> for any user id.</summary>
    public Task<IResult> ExportUserByQueryAsync(HttpRequest request, CancellationToken cancellationToken = default) =>
        ExportUserAsync(() => RouteIds.FromQuery(request, "userId"), cancellationToken);

    private Task<IResult> SimilarAsync(HttpRequest request, Func<string> itemIdOf, CancellationToken cancellationToken) =>
        HandleAsync(async () =>
        {
            ArgumentNullException.ThrowIfNull(request);
            var itemId = itemIdOf();
            var k = QueryInt(request, "k", 10);
            var includeUnavailable = QueryBool(request, "includeUnavailable");
            var response = await _recommender.SimilarAsync(itemId, k, includeUnavailable, cancellationToken).ConfigureAwait(false);
            await LogImpressionsAsync(null, response, cancellationToken).ConfigureAwait(false);
            return Results.Json(response, ApiJsonContext.Default.RecommendationResponse);
        });

    private Task<IResult> UserVectorAsync(Func<string> userIdOf, CancellationToken cancellationToken) =>
        HandleAsync(async () =>
        {
            var userId = userIdOf();
            var (version, vector, length) = await _recommender.UserVectorAsync(userId, cancellationToken).ConfigureAwait(false);
            if (vector is null)
            {
                throw new NotFoundException("userId", $"user \"{userId}\" has no history the model {version} can use");
            }

            return Results.Json(new UserVectorResponse { ModelVersion = version, UserId = userId, HistoryLength = length, Vector = vector }, ApiJsonContext.Default.UserVectorResponse);
        });

    private Task<IResult> ForgetUserAsync(Func<string> userIdOf, CancellationToken cancellationToken) =>
        HandleAsync(async () =>
        {
            var userId = RequestRules.Id(userIdOf(), "userId");
            var deleted = await _forgotten.ForgetAsync(userId, cancellationToken).ConfigureAwait(false);
            return Results.Json(new ForgetUserResponse { UserId = userId, HistoryDeleted = deleted }, ApiJsonContext.Default.ForgetUserResponse);
        });

    private Task<IResult> ExportUserAsync(Func<string> userIdOf, CancellationToken cancellationToken) =>
        HandleAsync(async () =>
        {
            var userId = RequestRules.Id(userIdOf(), "userId");
            var export = await new UserDataExporter(_histories, _forgotten).ExportAsync(userId, cancellationToken).ConfigureAwait(false);
            return Results.Json(export, ApiJsonContext.Default.UserDataExport);
        });

    /// <summary>
    /// <c>GET /api/health</c>: 200 <c>{status: "ok"|"degraded", modelVersion, reasons?}</c>, 503 when no model is live.
    /// Degraded (still 200: requests are answered, from the fallback) while the remote index fails or misses its time
    /// budget, or when the newest model version could not be loaded.
    /// </summary>
    public Task<IResult> HealthAsync(HttpRequest request, CancellationToken cancellationToken = default) =>
        HandleAsync(async () =>
        {
            var (version, reasons) = await _recommender.HealthAsync(cancellationToken).ConfigureAwait(false);
            return Results.Json(
                new HealthResponse { Status = reasons.Count == 0 ? "ok" : "degraded", ModelVersion = version, Reasons = reasons.Count == 0 ? null : reasons },
                ApiJsonContext.Default.HealthResponse);
        });

    /// <summary>Logs a sampled response's items as impressions; never fails the request (<see cref="ImpressionLog.TryLogAsync"/>).</summary>
    private Task LogImpressionsAsync(string? userId, RecommendationResponse response, CancellationToken cancellationToken) =>
        _impressions is null ? Task.CompletedTask : _impressions.TryLogAsync(userId, response, cancellationToken);

    private static string? ReadIdempotencyKey(HttpRequest request)
    {
        var values = request.Headers[IdempotencyMarkers.HeaderName];
        if (values.Count == 0)
        {
            return null;
        }

        return values.Count == 1 && IdempotencyMarkers.IsValidKey(values[0])
            ? values[0]
            : throw new RequestValidationException(IdempotencyMarkers.HeaderName, $"the {IdempotencyMarkers.HeaderName} header must be one value of 1 to {IdempotencyMarkers.MaxKeyLength} visible ASCII characters");
    }

    private List<InteractionEvent> ValidateEvents(IReadOnlyList<PostedEvent?> posted, DateTimeOffset receivedAt)
    {
        var events = new List<InteractionEvent>(posted.Count);
        for (var i = 0; i < posted.Count; i++)
        {
            var field = $"events[{i}]";
            var e = posted[i] ?? throw new RequestValidationException(field, $"{field} is null");
            var userId = RequestRules.Id(e.UserId, field + ".userId");
            var asRequestEvent = new RequestEvent { ItemId = e.ItemId, Type = e.Type, Timestamp = e.Timestamp, Value = e.Value };
            var validated = RequestRules.Event(asRequestEvent, userId, _eventTypes, receivedAt, field);
            events.Add(validated with { RecommendationId = RequestRules.RecommendationId(e.RecommendationId, e.Position, field), Position = e.Position });
        }

        return events;
    }

    private async Task<IResult> PostWithKeyAsync(string key, IReadOnlyList<PostedEvent?> posted, CancellationToken cancellationToken)
    {
        var bodySha256 = Convert.ToHexStringLower(SHA256.HashData(JsonSerializer.SerializeToUtf8Bytes(posted, RequestBody.Options)));
        for (var attempt = 1; ; attempt++)
        {
            var now = _time.GetUtcNow();
            var (marker, etag) = await _markers.ReadAsync(key, cancellationToken).ConfigureAwait(false);
            if (marker is null)
            {
                var events = ValidateEvents(posted, now);
                marker = new IdempotencyMarker { BodySha256 = bodySha256, ReceivedAt = now, State = IdempotentPostState.Received, LeaseUntil = now + IdempotencyMarkers.Lease };
                etag = await _markers.TryCreateAsync(key, marker, cancellationToken).ConfigureAwait(false);
                if (etag is not null)
                {
                    return await LogWithKeyAsync(key, marker, etag, events, cancellationToken).ConfigureAwait(false);
                }
            }
            else if (!string.Equals(marker.BodySha256, bodySha256, StringComparison.Ordinal))
            {
                _telemetry.EventsWereRejected(IdempotencyMarkers.HeaderName);
                return ApiProblems.Create(StatusCodes.Status422UnprocessableEntity, "The Idempotency-Key was used for other events.", $"a post with this {IdempotencyMarkers.HeaderName} and other events was received at {marker.ReceivedAt:O}; use a new key for new events", IdempotencyMarkers.HeaderName);
            }
            else if (marker.State == IdempotentPostState.Complete)
            {
                var replay = Results.Json(new EventBatchResponse { Accepted = marker.Accepted, Users = marker.Users }, ApiJsonContext.Default.EventBatchResponse, statusCode: StatusCodes.Status202Accepted);
                return new WithHeaderResult(replay, IdempotencyMarkers.ReplayedHeaderName, "true");
            }
            else if (marker.State == IdempotentPostState.Logged)
            {
                var events = ValidateEvents(posted, marker.ReceivedAt);
                return await UpdateHistoriesAsync(events, marker.LogBlob, hasKey: true, (key, marker, etag!), cancellationToken).ConfigureAwait(false);
            }
            else if (marker.LeaseUntil > now)
            {
                var wait = (int)Math.Ceiling((marker.LeaseUntil - now).TotalSeconds);
                var inFlight = ApiProblems.Create(StatusCodes.Status409Conflict, "A post with this Idempotency-Key is in progress.", $"a post with this {IdempotencyMarkers.HeaderName} was received at {marker.ReceivedAt:O} and has not finished; retry with the same key after {wait} s", IdempotencyMarkers.HeaderName);
                return new WithHeaderResult(inFlight, "Retry-After", wait.ToString(CultureInfo.InvariantCulture));
            }
            else
            {
                // Received but never marked logged (it failed, or its host stopped): take it over. If its append did reach the
                // log, this one appends the same lines again (same receive time), which the dataset build counts once.
                var events = ValidateEvents(posted, marker.ReceivedAt);
                marker = marker with { LeaseUntil = now + IdempotencyMarkers.Lease };
                etag = await _markers.TryReplaceAsync(key, marker, etag!, cancellationToken).ConfigureAwait(false);
                if (etag is not null)
                {
                    return await LogWithKeyAsync(key, marker, etag, events, cancellationToken).ConfigureAwait(false);
                }
            }

            // Another post with this key changed the marker between the read and the write: look again.
            if (attempt >= 3)
            {
                throw new BlobConditionFailedException($"the marker of an {IdempotencyMarkers.HeaderName} kept changing during the request");
            }
        }
    }

    private async Task<IResult> LogWithKeyAsync(string key, IdempotencyMarker marker, string etag, List<InteractionEvent> events, CancellationToken cancellationToken)
    {
        string logBlob;
        try
        {
            logBlob = await _eventLog.AppendAsync(events, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception) when (!cancellationToken.IsCancellationRequested)
        {
            // Nothing was logged: end the lease now, so a retry with this key need not wait for it.
            await TryReplaceMarkerAsync(key, marker with { LeaseUntil = marker.ReceivedAt }, etag).ConfigureAwait(false);
            throw;
        }

        marker = marker with { State = IdempotentPostState.Logged, LogBlob = logBlob };
        var logged = await TryReplaceMarkerAsync(key, marker, etag).ConfigureAwait(false);
        return await UpdateHistoriesAsync(events, logBlob, hasKey: true, logged is null ? null : (key, marker, logged), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Adds logged events to their users' histories. Every user is tried; when some fail, the answer says the events are
    /// logged (409 under contention, 503 otherwise) and how to finish. With a key, the marker is then marked complete.
    /// </summary>
    private async Task<IResult> UpdateHistoriesAsync(List<InteractionEvent> events, string? logBlob, bool hasKey, (string Key, IdempotencyMarker Marker, string ETag)? marker, CancellationToken cancellationToken)
    {
        // The events are in the log (what retraining reads): they count as accepted whatever happens to the histories.
        foreach (var type in events.GroupBy(e => e.Type, StringComparer.Ordinal))
        {
            _telemetry.EventsWereAccepted(type.Key, type.Count());
        }

        // Impressions stay out of histories: they are not the user's doing, and they would push real events out of the cap.
        var byUser = events.Where(e => !_eventTypes.IsExposure(e.Type)).GroupBy(e => e.UserId, StringComparer.Ordinal).ToList();
        var failed = 0;
        var contended = true;
        Exception? firstFailure = null;
        foreach (var user in byUser)
        {
            var history = user.Select(e => new HistoryEvent { ItemId = e.ItemId, Type = e.Type, Timestamp = e.Timestamp, Value = e.Value }).ToList();
            try
            {
                await _histories.AppendAsync(user.Key, history, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                failed++;
                contended &= ex is BlobConditionFailedException;
                firstFailure ??= ex;
            }
        }

        if (firstFailure is not null)
        {
            // Contention is expected under load; anything else is a storage fault an operator should see.
            var level = contended ? LogLevel.Warning : LogLevel.Error;
            var failureType = firstFailure.GetType().Name;
            LogHistoriesBehindLog(_logger, level, events.Count, failed, byUser.Count, failureType, firstFailure);
            // The log blob is marked for the next retraining's seeding step, which brings these users' histories up to date.
            var repairRecorded = logBlob is not null && await _eventLog.TryRequestHistoryRepairAsync(logBlob, CancellationToken.None).ConfigureAwait(false);
            var retry = !hasKey
                ? $"Do not repeat this post without an {IdempotencyMarkers.HeaderName}: it would log the events twice. " + (repairRecorded
                    ? "The next retraining brings these histories up to date with the log."
                    : "That could not be recorded for the next retraining either, so these histories miss the events (training does not); send an Idempotency-Key to be able to finish such a post.")
                : $"Retry with the same {IdempotencyMarkers.HeaderName}: it finishes the histories without logging the events again.";
            var detail = $"the {events.Count} events are logged (the next retraining uses them), but the histories of {failed} of {byUser.Count} users could not be updated {(contended ? "because they kept changing" : "because of a storage error")}. {retry}";
            return contended
                ? ApiProblems.Create(StatusCodes.Status409Conflict, "The events are logged; some users' histories are not updated yet.", detail, eventsLogged: true)
                : ApiProblems.Create(StatusCodes.Status503ServiceUnavailable, "The events are logged; some users' histories are not updated yet.", detail, eventsLogged: true);
        }

        if (marker is { } done)
        {
            // A lost completion mark only makes a retry redo the histories, which adds nothing twice.
            await TryReplaceMarkerAsync(done.Key, done.Marker with { State = IdempotentPostState.Complete, Accepted = events.Count, Users = byUser.Count }, done.ETag).ConfigureAwait(false);
        }

        return Results.Json(new EventBatchResponse { Accepted = events.Count, Users = byUser.Count }, ApiJsonContext.Default.EventBatchResponse, statusCode: StatusCodes.Status202Accepted);
    }

    /// <summary>Moves a marker on after the commit point: a failure here must not hide that the events are logged, so it is logged instead.</summary>
    private async Task<string?> TryReplaceMarkerAsync(string key, IdempotencyMarker marker, string etag)
    {
        try
        {
            return await _markers.TryReplaceAsync(key, marker, etag, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogMarkerNotUpdated(_logger, marker.State.ToString(), ex);
            return null;
        }
    }

    private static int QueryInt(HttpRequest request, string name, int defaultValue)
    {
        var values = request.Query[name];
        if (values.Count == 0)
        {
            return defaultValue;
        }

        return values.Count == 1 && int.TryParse(values[0], NumberStyles.Integer, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new RequestValidationException(name, $"{name} must be one whole number");
    }

    private static bool QueryBool(HttpRequest request, string name)
    {
        var values = request.Query[name];
        if (values.Count == 0)
        {
            return false;
        }

        return values.Count == 1 && bool.TryParse(values[0], out var value)
            ? value
            : throw new RequestValidationException(name, $"{name} must be true or false");
    }

    private Task<IResult> HandleAsync(Func<Task<IResult>> handle) => ApiProblems.HandleAsync(handle, _logger);

    /// <summary>Counts a post refused for what it holds (<see cref="ServerlessRecTelemetry.EventsRejected"/>), by the field at fault.</summary>
    private async Task<IResult> CountingRejectionsAsync(Func<Task<IResult>> handle)
    {
        try
        {
            return await handle().ConfigureAwait(false);
        }
        catch (Exception ex) when (RejectionReason(ex) is { } reason)
        {
            _telemetry.EventsWereRejected(reason);
            throw;
        }
    }

    /// <summary>
    /// The <c>reason</c> tag of a refused post: the field named in the 400 with its indexes removed
    /// (<c>events[].timestamp</c>), so the tag has a few values, not one per position; null for failures that are not the
    /// caller's (storage, cancellation).
    /// </summary>
    internal static string? RejectionReason(Exception exception) => exception switch
    {
        RequestValidationException e => WithoutIndexes(e.Field),
        InvalidTimestampException e => WithoutIndexes(e.Path is { Length: > 2 } path ? path.TrimStart('$', '.') : "timestamp"),
        // A JSON path may carry property names the caller chose: never a tag value.
        System.Text.Json.JsonException => "body-json",
        BadHttpRequestException e => $"body-{e.StatusCode}",
        _ => null,
    };

    private static string WithoutIndexes(string field)
    {
        var text = new System.Text.StringBuilder(field.Length);
        var inIndex = false;
        foreach (var c in field)
        {
            if (c == '[')
            {
                inIndex = true;
                text.Append("[]");
            }
            else if (c == ']')
            {
                inIndex = false;
            }
            else if (!inIndex)
            {
                text.Append(c);
            }
        }

        return text.ToString();
    }

    [LoggerMessage(EventId = 1101, Message = "POST /api/events logged {EventCount} events but could not update {FailedUsers} of {Users} users' histories ({ExceptionType})")]
    private static partial void LogHistoriesBehindLog(ILogger logger, LogLevel level, int eventCount, int failedUsers, int users, string exceptionType, Exception exception);

    [LoggerMessage(EventId = 1102, Level = LogLevel.Warning, Message = "POST /api/events could not mark its idempotency marker {State}")]
    private static partial void LogMarkerNotUpdated(ILogger logger, string state, Exception exception);

    /// <summary>Adds one response header to a result (a replay flag, Retry-After).</summary>
    private sealed class WithHeaderResult(IResult inner, string name, string value) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            ArgumentNullException.ThrowIfNull(httpContext);
            httpContext.Response.Headers[name] = value;
            return inner.ExecuteAsync(httpContext);
        }
    }
}
