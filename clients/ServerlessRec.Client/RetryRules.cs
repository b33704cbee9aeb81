using System.Net;
using Microsoft.Extensions.Http.Resilience;
using Polly;
using Polly.Retry;
using Polly.Timeout;

namespace ServerlessRec.Client;

/// <summary>
/// Which failed attempts the client retries. A retry repeats the same <see cref="HttpRequestMessage"/>, headers included,
/// so an event post keeps its <c>Idempotency-Key</c> and the server stores it once however often it is sent.
/// </summary>
internal static class RetryRules
{
    /// <summary>The retry predicate of the client's resilience pipeline.</summary>
    public static ValueTask<bool> ShouldRetry(RetryPredicateArguments<HttpResponseMessage> args)
    {
        var request = args.Outcome.Result?.RequestMessage ?? args.Context.GetRequestMessage();
        if (request is null || !request.Options.TryGetValue(RequestPolicy.Key, out var policy) || !policy.Retry)
        {
            return ValueTask.FromResult(false);
        }

        if (args.Outcome.Exception is { } exception)
        {
            // A network failure or an attempt that timed out; the caller's own cancellation is never retried.
            return ValueTask.FromResult(exception is HttpRequestException or TimeoutRejectedException);
        }

        return ValueTask.FromResult(args.Outcome.Result?.StatusCode switch
        {
            HttpStatusCode.Conflict => policy.RetryOnConflict,
            HttpStatusCode.ServiceUnavailable => policy.RetryOnUnavailable,
            HttpStatusCode.InternalServerError => policy.RetryOnServerError,
            HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests or HttpStatusCode.BadGateway or HttpStatusCode.GatewayTimeout => true,
            _ => false,
        });
    }

    /// <summary>Adds the client's timeouts and retries to a pipeline.</summary>
    public static void Configure(ResiliencePipelineBuilder<HttpResponseMessage> pipeline, ServerlessRecClientOptions options)
    {
        pipeline.AddTimeout(options.TotalTimeout);
        if (options.MaxRetryAttempts > 0)
        {
            pipeline.AddRetry(new HttpRetryStrategyOptions
            {
                MaxRetryAttempts = options.MaxRetryAttempts,
                Delay = options.RetryDelay,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                // Retry-After (429, and the 409 of an event post still in flight) replaces the computed delay.
                ShouldRetryAfterHeader = true,
                ShouldHandle = ShouldRetry,
            });
        }

        pipeline.AddTimeout(options.AttemptTimeout);
    }
}
