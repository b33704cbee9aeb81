using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using ServerlessRec.Events;
using ServerlessRec.Serving;

namespace ServerlessRec.Http;

/// <summary>
/// The HTTP handlers of the API, written once for both hosts: ASP.NET Core <see cref="HttpRequest"/> in,
/// <see cref="IResult"/> out. Every failure goes through <see cref="ApiProblems.FromException"/>.
/// </summary>
public sealed class ServingEndpoints
{
    /// <summary>The most events one <c>POST /api/events</c> may carry.</summary>
    public const int MaxEventsPerPost = 1000;

    private readonly RecommenderService _recommender;
    private readonly UserHistoryStore _histories;
    private readonly ForgottenUsers _forgotten;
    private readonly ApiEventLog _eventLog;
    private readonly ILiveModelSource _models;
    private readonly EventTypeOptions _eventTypes;
    private readonly TimeProvider _time;
    private readonly ILogger<ServingEndpoints> _logger;

    /// <summary>Creates the handlers.</summary>
    public ServingEndpoints(
        RecommenderService recommender,
        UserHistoryStore histories,
        ForgottenUsers forgotten,
        ApiEventLog eventLog,
        ILiveModelSource models,
        EventTypeOptions eventTypes,
        TimeProvider time,
        ILogger<ServingEndpoints> logger)
    {
        ArgumentNullException.ThrowIfNull(recommender);
        ArgumentNullException.ThrowIfNull(histories);
        ArgumentNullException.ThrowIfNull(forgotten);
        ArgumentNullException.ThrowIfNull(eventLog);
        ArgumentNullException.ThrowIfNull(models);
        ArgumentNullException.ThrowIfNull(eventTypes);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(logger);
        _recommender = recommender;
        _histories = histories;
        _forgotten = forgotten;
        _eventLog = eventLog;
        _models = models;
        _eventTypes = eventTypes;
        _time = time;
        _logger = logger;
    }

    /// <summary><c>POST /api/recommendations</c>.</summary>
    public Task<IResult> RecommendAsync(HttpRequest request, CancellationToken cancellationToken = default) =>
        HandleAsync(async () =>
        {
            var body = await RequestBody.ReadAsync<RecommendationRequest>(request, cancellationToken).ConfigureAwait(false);
            var response = await _recommender.RecommendAsync(body, cancellationToken).ConfigureAwait(false);
            return Results.Json(response, ApiJsonContext.Default.RecommendationResponse);
        });

    /// <summary><c>POST /api/events</c>: validates every event, appends them to the events log and to each user's history; 202 with counts.</summary>
    public Task<IResult> PostEventsAsync(HttpRequest request, CancellationToken cancellationToken = default) =>
        HandleAsync(async () =>
        {
            var body = await RequestBody.ReadAsync<EventBatchRequest>(request, cancellationToken).ConfigureAwait(false);
            var posted = body.Events ?? throw new RequestValidationException("events", "events is required");
            if (posted.Count == 0 || posted.Count > MaxEventsPerPost)
            {
                throw new RequestValidationException("events", $"events must hold between 1 and {MaxEventsPerPost} events");
            }

            // All or nothing: one bad event rejects the post before anything is written.
            var now = _time.GetUtcNow();
            var events = new List<InteractionEvent>(posted.Count);
            for (var i = 0; i < posted.Count; i++)
            {
                var field = $"events[{i}]";
                var e = posted[i] ?? throw new RequestValidationException(field, $"{field} is null");
                var userId = RequestRules.Id(e.UserId, field + ".userId");
                var asRequestEvent = new RequestEvent { ItemId = e.ItemId, Type = e.Type, Timestamp = e.Timestamp, Value = e.Value };
                events.Add(RequestRules.Event(asRequestEvent, userId, _eventTypes, now, field));
            }

            // Histories first: they keep each event once, so a client retrying after a failure (409 when a history
            // stays contended) adds nothing twice; the log is appended only once every history took the events.
            var byUser = events.GroupBy(e => e.UserId, StringComparer.Ordinal).ToList();
            foreach (var user in byUser)
            {
                var history = user.Select(e => new HistoryEvent { ItemId = e.ItemId, Type = e.Type, Timestamp = e.Timestamp, Value = e.Value }).ToList();
                await _histories.AppendAsync(user.Key, history, cancellationToken).ConfigureAwait(false);
            }

            await _eventLog.AppendAsync(events, cancellationToken).ConfigureAwait(false);

            return Results.Json(new EventBatchResponse { Accepted = events.Count, Users = byUser.Count }, ApiJsonContext.Default.EventBatchResponse, statusCode: StatusCodes.Status202Accepted);
        });

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

    /// <summary><c>GET /api/health</c>: 200 with the live model version, 503 when no model is live.</summary>
    public Task<IResult> HealthAsync(HttpRequest request, CancellationToken cancellationToken = default) =>
        HandleAsync(async () =>
        {
            var model = await _models.GetCurrentAsync(cancellationToken).ConfigureAwait(false)
                ?? throw new ModelUnavailableException("no model is live yet: run a retraining first");
            return Results.Json(new HealthResponse { Status = "ok", ModelVersion = model.Version }, ApiJsonContext.Default.HealthResponse);
        });

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
}
