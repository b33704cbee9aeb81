namespace ServerlessRec.Client;

/// <summary>The caller group of a route (the server's <c>RouteGroup</c>): it picks the function key.</summary>
internal enum ApiGroup
{
    Serving,
    Privacy,
    Operations,
}

/// <summary>What the client attaches to each request: the route's group and which failures may be retried.</summary>
/// <param name="Group">The route's caller group.</param>
/// <param name="Retry">Whether transient failures (408, 429, 502, 503, 504, network errors) are retried.</param>
/// <param name="RetryOnConflict">Whether a 409 is retried: only where it means "the same request may succeed now".</param>
/// <param name="RetryOnUnavailable">Whether a 503 is retried (not for the health probe, where it means "no model").</param>
internal sealed record RequestPolicy(ApiGroup Group, bool Retry, bool RetryOnConflict = false, bool RetryOnUnavailable = true)
{
    /// <summary>The request option that carries the policy.</summary>
    public static readonly HttpRequestOptionsKey<RequestPolicy> Key = new("ServerlessRec.RequestPolicy");
}
