namespace ServerlessRec.Client;

/// <summary>What the client attaches to each request: the route's group and which failures may be retried.</summary>
/// <param name="Group">The route's caller group.</param>
/// <param name="Retry">Whether transient failures (408, 429, 502, 503, 504, network errors) are retried.</param>
/// <param name="RetryOnConflict">Whether a 409 is retried: only where it means "the same request may succeed now".</param>
/// <param name="RetryOnUnavailable">Whether a 503 is retried (not for the health probe, where it means "no model").</param>
/// <param name="RetryOnServerError">
/// Whether a 500 is retried: only for event posts, whose contract says a 500 logged nothing and the same key may be sent again.
/// </param>
internal sealed record RequestPolicy(ApiGroup Group, bool Retry, bool RetryOnConflict = false, bool RetryOnUnavailable = true, bool RetryOnServerError = false)
{
    /// <summary>The request option that carries the policy.</summary>
    public static readonly HttpRequestOptionsKey<RequestPolicy> Key = new("ServerlessRec.RequestPolicy");
}
