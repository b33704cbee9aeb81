namespace ServerlessRec.Client;

/// <summary>
/// Typed calls for every route of the ServerlessRec API. Every failure is a <see cref="ServerlessRecException"/> (or a
/// derived type) that carries the server's problem+json: status, title, detail and the field at fault. Routes that take an
/// id are called in their query form (<c>?userId=</c>, <c>?itemId=</c>), which works for every id on both hosts.
/// </summary>
public interface IServerlessRecClient
{
    /// <summary><c>POST /api/recommendations</c> (serving): the user's next items.</summary>
    Task<RecommendationResponse> RecommendAsync(RecommendationRequest request, CancellationToken cancellationToken = default);

    /// <summary>
    /// <c>POST /api/events</c> (serving): logs up to 1000 events and adds them to the users' histories, so the next
    /// recommendation reflects them. The post carries an <c>Idempotency-Key</c> (<paramref name="idempotencyKey"/>, or a
    /// new one) that every retry repeats, so the server stores the events once however often they are sent.
    /// </summary>
    /// <param name="events">The events (1–1000).</param>
    /// <param name="idempotencyKey">
    /// The key of this logical post (1–128 visible ASCII characters), to repeat a post after this call failed (the key is in
    /// <see cref="ServerlessRecProblem.IdempotencyKey"/>); <see langword="null"/> for a new one.
    /// </param>
    /// <param name="cancellationToken">The cancellation token.</param>
    Task<EventBatchResult> PostEventsAsync(IReadOnlyList<UserEvent> events, string? idempotencyKey = null, CancellationToken cancellationToken = default);

    /// <summary><c>GET /api/items/similar?itemId=…</c> (serving): the items closest to one item.</summary>
    Task<RecommendationResponse> GetSimilarItemsAsync(string itemId, int k = 10, bool includeUnavailable = false, CancellationToken cancellationToken = default);

    /// <summary><c>GET /api/health</c> (serving): <c>ok</c> or <c>degraded</c>; a <see cref="ServerlessRecUnavailableException"/> when no model is live. Not retried.</summary>
    Task<HealthStatus> GetHealthAsync(CancellationToken cancellationToken = default);

    /// <summary><c>GET /api/users/vector?userId=…</c> (privacy): the user's vector; 404 when the user has no usable history.</summary>
    Task<UserVector> GetUserVectorAsync(string userId, CancellationToken cancellationToken = default);

    /// <summary><c>GET /api/users/export?userId=…</c> (privacy): everything stored about the user.</summary>
    Task<UserDataExport> ExportUserAsync(string userId, CancellationToken cancellationToken = default);

    /// <summary><c>DELETE /api/users?userId=…</c> (privacy): forgets the user (history now; raw events at the next retraining).</summary>
    Task<ForgetUserResult> ForgetUserAsync(string userId, CancellationToken cancellationToken = default);

    /// <summary><c>PUT /api/items</c> (operations): adds or changes up to 1000 catalog items, live within seconds.</summary>
    Task<CatalogUpdateResult> PutItemsAsync(IReadOnlyList<CatalogItem> items, CancellationToken cancellationToken = default);

    /// <summary><c>DELETE /api/items?itemId=…</c> (operations): removes an item from every answer.</summary>
    Task<CatalogUpdateResult> DeleteItemAsync(string itemId, CancellationToken cancellationToken = default);

    /// <summary>
    /// <c>POST /api/retrain</c> (operations): starts a retraining; a <see cref="ServerlessRecConflictException"/> while one
    /// runs. Never retried: a retry after a lost answer would only meet the run it started.
    /// </summary>
    Task<RetrainStart> StartRetrainAsync(CancellationToken cancellationToken = default);

    /// <summary><c>GET /api/retrain/{instanceId}</c> (operations): how a retraining is going or how it ended.</summary>
    Task<RetrainStatus> GetRetrainStatusAsync(string instanceId, CancellationToken cancellationToken = default);

    /// <summary>
    /// <c>POST /api/models/{version}/activate</c> (operations): makes a kept version live again (rollback) after checking its
    /// files and index; a <see cref="ServerlessRecConflictException"/> naming what failed (not retried).
    /// </summary>
    Task<ModelActivation> ActivateModelAsync(string version, string? reason = null, string? requestedBy = null, CancellationToken cancellationToken = default);

    /// <summary><c>GET /api/status?runs=…</c> (operations): the live model, the kept versions and the last <paramref name="runs"/> runs (0–100).</summary>
    Task<ModelStatus> GetStatusAsync(int runs = 10, CancellationToken cancellationToken = default);
}
