using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace ServerlessRec.Client;

/// <summary>
/// The typed <see cref="HttpClient"/> client of the ServerlessRec API. Register it with
/// <c>services.AddServerlessRecClient(…)</c>, which adds the retries and the credentials; constructed by hand over a plain
/// <see cref="HttpClient"/> it sends requests as they are (no keys, no retries).
/// </summary>
public sealed class ServerlessRecClient : IServerlessRecClient
{
    /// <summary>The header that makes an event post idempotent.</summary>
    public const string IdempotencyKeyHeader = "Idempotency-Key";

    /// <summary>The answer header of an event post the server had already completed.</summary>
    public const string ReplayedHeader = "Idempotent-Replayed";

    private static readonly MediaTypeHeaderValue JsonMediaType = new("application/json") { CharSet = "utf-8" };

    private static readonly RequestPolicy Serving = new(ApiGroup.Serving, Retry: true);
    // The README's "Posting events" table: with the same key, a 409, a 503 and a 500 may all be sent again.
    private static readonly RequestPolicy EventPost = new(ApiGroup.Serving, Retry: true, RetryOnConflict: true, RetryOnServerError: true);
    private static readonly RequestPolicy HealthProbe = new(ApiGroup.Serving, Retry: true, RetryOnUnavailable: false);
    private static readonly RequestPolicy Privacy = new(ApiGroup.Privacy, Retry: true);
    private static readonly RequestPolicy PrivacyWrite = new(ApiGroup.Privacy, Retry: true, RetryOnConflict: true);
    private static readonly RequestPolicy Operations = new(ApiGroup.Operations, Retry: true);
    private static readonly RequestPolicy OperationsWrite = new(ApiGroup.Operations, Retry: true, RetryOnConflict: true);
    private static readonly RequestPolicy OperationsNoRetry = new(ApiGroup.Operations, Retry: false);

    private readonly HttpClient _http;

    /// <summary>Creates the client over an <see cref="HttpClient"/> whose base address is the API's host root.</summary>
    public ServerlessRecClient(HttpClient httpClient)
    {
        ArgumentNullException.ThrowIfNull(httpClient);
        _http = httpClient;
    }

    /// <inheritdoc/>
    public Task<RecommendationResponse> RecommendAsync(RecommendationRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        // Read-only, so retried like a GET although it is a POST.
        return SendAsync(HttpMethod.Post, "api/recommendations", Serving, Body(request, ClientJsonContext.Default.RecommendationRequest), ClientJsonContext.Default.RecommendationResponse, cancellationToken);
    }

    /// <inheritdoc/>
    public async Task<EventBatchResult> PostEventsAsync(IReadOnlyList<UserEvent> events, string? idempotencyKey = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(events);
        if (idempotencyKey is not null && !IsValidKey(idempotencyKey))
        {
            throw new ArgumentException("an Idempotency-Key is 1 to 128 visible ASCII characters", nameof(idempotencyKey));
        }

        // One key per logical post, made here once: the retries below this call repeat the same request, header and all.
        var key = idempotencyKey ?? Guid.NewGuid().ToString("N");
        using var request = Request(HttpMethod.Post, "api/events", EventPost, Body(new EventBatchRequest { Events = events }, ClientJsonContext.Default.EventBatchRequest));
        request.Headers.Add(IdempotencyKeyHeader, key);
        using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
        var result = await ReadAsync(response, ClientJsonContext.Default.EventBatchResult, key, cancellationToken).ConfigureAwait(false);
        var replayed = response.Headers.TryGetValues(ReplayedHeader, out var values) && values.Any(v => string.Equals(v, "true", StringComparison.OrdinalIgnoreCase));
        return result with { IdempotencyKey = key, Replayed = replayed };
    }

    /// <inheritdoc/>
    public Task<RecommendationResponse> GetSimilarItemsAsync(string itemId, int k = 10, bool includeUnavailable = false, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(itemId);
        var path = string.Create(CultureInfo.InvariantCulture, $"api/items/similar?itemId={Uri.EscapeDataString(itemId)}&k={k}")
            + (includeUnavailable ? "&includeUnavailable=true" : string.Empty);
        return SendAsync(HttpMethod.Get, path, Serving, null, ClientJsonContext.Default.RecommendationResponse, cancellationToken);
    }

    /// <inheritdoc/>
    public Task<HealthStatus> GetHealthAsync(CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Get, "api/health", HealthProbe, null, ClientJsonContext.Default.HealthStatus, cancellationToken);

    /// <inheritdoc/>
    public Task<UserVector> GetUserVectorAsync(string userId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(userId);
        return SendAsync(HttpMethod.Get, $"api/users/vector?userId={Uri.EscapeDataString(userId)}", Privacy, null, ClientJsonContext.Default.UserVector, cancellationToken);
    }

    /// <inheritdoc/>
    public Task<UserDataExport> ExportUserAsync(string userId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(userId);
        return SendAsync(HttpMethod.Get, $"api/users/export?userId={Uri.EscapeDataString(userId)}", Privacy, null, ClientJsonContext.Default.UserDataExport, cancellationToken);
    }

    /// <inheritdoc/>
    public Task<ForgetUserResult> ForgetUserAsync(string userId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(userId);
        // Forgetting twice leaves the same state, so a 409 (the history kept changing) is retried.
        return SendAsync(HttpMethod.Delete, $"api/users?userId={Uri.EscapeDataString(userId)}", PrivacyWrite, null, ClientJsonContext.Default.ForgetUserResult, cancellationToken);
    }

    /// <inheritdoc/>
    public Task<CatalogUpdateResult> PutItemsAsync(IReadOnlyList<CatalogItem> items, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(items);
        // A repeated PUT writes the same items again, and the later write of an id wins: the catalog ends the same.
        return SendAsync(HttpMethod.Put, "api/items", OperationsWrite, Body(new PutItemsRequest { Items = items }, ClientJsonContext.Default.PutItemsRequest), ClientJsonContext.Default.CatalogUpdateResult, cancellationToken);
    }

    /// <inheritdoc/>
    public Task<CatalogUpdateResult> DeleteItemAsync(string itemId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(itemId);
        return SendAsync(HttpMethod.Delete, $"api/items?itemId={Uri.EscapeDataString(itemId)}", OperationsWrite, null, ClientJsonContext.Default.CatalogUpdateResult, cancellationToken);
    }

    /// <inheritdoc/>
    public Task<RetrainStart> StartRetrainAsync(CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Post, "api/retrain", OperationsNoRetry, Body(new EmptyRequest(), ClientJsonContext.Default.EmptyRequest), ClientJsonContext.Default.RetrainStart, cancellationToken);

    /// <inheritdoc/>
    public Task<RetrainStatus> GetRetrainStatusAsync(string instanceId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(instanceId);
        return SendAsync(HttpMethod.Get, $"api/retrain/{Uri.EscapeDataString(instanceId)}", Operations, null, ClientJsonContext.Default.RetrainStatus, cancellationToken);
    }

    /// <inheritdoc/>
    public Task<ModelActivation> ActivateModelAsync(string version, string? reason = null, string? requestedBy = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(version);
        // Activating the live version again changes nothing, so transient failures are retried; a 409 (refused, or another
        // activation won) is an answer, not a glitch.
        var body = Body(new ModelActivationRequest { Reason = reason, RequestedBy = requestedBy }, ClientJsonContext.Default.ModelActivationRequest);
        return SendAsync(HttpMethod.Post, $"api/models/{Uri.EscapeDataString(version)}/activate", Operations, body, ClientJsonContext.Default.ModelActivation, cancellationToken);
    }

    /// <inheritdoc/>
    public Task<ModelStatus> GetStatusAsync(int runs = 10, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Get, string.Create(CultureInfo.InvariantCulture, $"api/status?runs={runs}"), Operations, null, ClientJsonContext.Default.ModelStatus, cancellationToken);

    private static bool IsValidKey(string key) =>
        key.Length is > 0 and <= 128 && !key.AsSpan().ContainsAnyExceptInRange('!', '~');

    private static ByteArrayContent Body<T>(T value, JsonTypeInfo<T> typeInfo)
    {
        // Serialized once: every retry sends the same bytes (the server compares an idempotent post's body).
        var content = new ByteArrayContent(JsonSerializer.SerializeToUtf8Bytes(value, typeInfo));
        content.Headers.ContentType = JsonMediaType;
        return content;
    }

    private static HttpRequestMessage Request(HttpMethod method, string path, RequestPolicy policy, HttpContent? content)
    {
        var request = new HttpRequestMessage(method, new Uri(path, UriKind.Relative)) { Content = content };
        request.Options.Set(RequestPolicy.Key, policy);
        request.Headers.Accept.ParseAdd("application/json");
        return request;
    }

    private async Task<T> SendAsync<T>(HttpMethod method, string path, RequestPolicy policy, HttpContent? content, JsonTypeInfo<T> typeInfo, CancellationToken cancellationToken)
    {
        using var request = Request(method, path, policy, content);
        using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
        return await ReadAsync(response, typeInfo, idempotencyKey: null, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<T> ReadAsync<T>(HttpResponseMessage response, JsonTypeInfo<T> typeInfo, string? idempotencyKey, CancellationToken cancellationToken)
    {
        if (!response.IsSuccessStatusCode)
        {
            throw await ProblemReader.ReadAsync(response, idempotencyKey, cancellationToken).ConfigureAwait(false);
        }

        var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            return await JsonSerializer.DeserializeAsync(stream, typeInfo, cancellationToken).ConfigureAwait(false)
                ?? throw new ServerlessRecException(new ServerlessRecProblem { Status = (int)response.StatusCode, Title = "Empty answer.", Detail = "the server answered with an empty JSON body" });
        }
    }
}
