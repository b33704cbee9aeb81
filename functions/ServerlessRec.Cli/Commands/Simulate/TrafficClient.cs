using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using ServerlessRec.Events;
using ServerlessRec.Pipeline;
using ServerlessRec.Storage;

namespace ServerlessRec.Cli.Commands.Simulate;

/// <summary>
/// The simulation's web app: posts events the way a well-behaved client does (an <c>Idempotency-Key</c> per post,
/// the same key on every retry of a 409, 429 or 5xx), asks for recommendations, forgets users and starts retrainings.
/// </summary>
internal sealed class TrafficClient(HttpClient http, int clients) : IDisposable
{
    private const int MaxAttempts = 8;
    private readonly SemaphoreSlim _concurrency = new(clients, clients);
    private long _recommendationErrors;

    public void Dispose() => _concurrency.Dispose();

    /// <summary>Returns how many recommendation calls failed since the last call, and resets the count.</summary>
    public long TakeRecommendationErrors() => Interlocked.Exchange(ref _recommendationErrors, 0);

    /// <summary>Posts events until the API acknowledges them; returns how many it acknowledged (0 when it gave up).</summary>
    public async Task<int> PostAsync(IReadOnlyList<InteractionEvent> events, CancellationToken cancellationToken)
    {
        var json = SimulatedEventJson.Post(events);
        var key = Guid.NewGuid().ToString("N");
        await _concurrency.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            for (var attempt = 1; attempt <= MaxAttempts; attempt++)
            {
                try
                {
                    using var request = new HttpRequestMessage(HttpMethod.Post, new Uri("api/events", UriKind.Relative)) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
                    request.Headers.Add("Idempotency-Key", key);
                    using var response = await http.SendAsync(request, cancellationToken).ConfigureAwait(false);
                    if (response.StatusCode == HttpStatusCode.Accepted)
                    {
                        using var answer = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false));
                        return answer.RootElement.GetProperty("accepted").GetInt32();
                    }

                    if (response.StatusCode is not (HttpStatusCode.Conflict or HttpStatusCode.TooManyRequests) && (int)response.StatusCode < 500)
                    {
                        throw new InvalidOperationException($"POST /api/events answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false)}");
                    }
                }
                catch (HttpRequestException) when (attempt < MaxAttempts)
                {
                }

                await Task.Delay(25 * attempt, cancellationToken).ConfigureAwait(false);
            }

            // Given up: the day's row shows it as posted but not acknowledged.
            return 0;
        }
        finally
        {
            _concurrency.Release();
        }
    }

    /// <summary>Posts a body once and returns the status code (poisoned events: 400 expected).</summary>
    public async Task<int> PostRawAsync(string json, CancellationToken cancellationToken)
    {
        using var content = new StringContent(json, Encoding.UTF8, "application/json");
        using var response = await http.PostAsync(new Uri("api/events", UriKind.Relative), content, cancellationToken).ConfigureAwait(false);
        return (int)response.StatusCode;
    }

    /// <summary>Asks for 10 recommendations; returns the wall time in milliseconds (the request as a client waits for it).</summary>
    public async Task<double> RecommendAsync(string userId, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        using var content = new StringContent($$"""{"userId":{{JsonSerializer.Serialize(userId)}},"k":10}""", Encoding.UTF8, "application/json");
        using var response = await http.PostAsync(new Uri("api/recommendations", UriKind.Relative), content, cancellationToken).ConfigureAwait(false);
        _ = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        var elapsed = clock.Elapsed.TotalMilliseconds;
        if (response.StatusCode != HttpStatusCode.OK && response.StatusCode != HttpStatusCode.ServiceUnavailable)
        {
            Interlocked.Increment(ref _recommendationErrors);
        }

        return elapsed;
    }

    /// <summary>Forgets a user, retrying a failed attempt (a forget is idempotent); returns the attempts it took.</summary>
    public async Task<int> ForgetAsync(string userId, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            using var response = await http.DeleteAsync(new Uri("api/users?userId=" + Uri.EscapeDataString(userId), UriKind.Relative), cancellationToken).ConfigureAwait(false);
            if (response.StatusCode == HttpStatusCode.OK)
            {
                return attempt;
            }

            if ((int)response.StatusCode < 500 || attempt == MaxAttempts)
            {
                throw new InvalidOperationException($"DELETE /api/users answered {(int)response.StatusCode} after {attempt} attempts");
            }

            await Task.Delay(25 * attempt, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Starts a retraining through the API, waits for it and reads its run record.</summary>
    public async Task<(string Outcome, RetrainRunRecord? Record)> RetrainAsync(IBlobStore store, CancellationToken cancellationToken)
    {
        using (var content = new StringContent("{}", Encoding.UTF8, "application/json"))
        using (var started = await http.PostAsync(new Uri("api/retrain", UriKind.Relative), content, cancellationToken).ConfigureAwait(false))
        {
            if (started.StatusCode != HttpStatusCode.Accepted)
            {
                throw new InvalidOperationException($"POST /api/retrain answered {(int)started.StatusCode}: {await started.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false)}");
            }
        }

        while (true)
        {
            await Task.Delay(100, cancellationToken).ConfigureAwait(false);
            using var response = await http.GetAsync(new Uri("api/retrain/" + RetrainScheduler.InstanceId, UriKind.Relative), cancellationToken).ConfigureAwait(false);
            using var status = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false));
            var state = status.RootElement.GetProperty("status").GetString();
            if (state is "running" or "pending")
            {
                continue;
            }

            var runId = status.RootElement.TryGetProperty("runId", out var r) ? r.GetString() : null;
            var outcome = status.RootElement.TryGetProperty("outcome", out var o) ? o.GetString() ?? state! : state!;
            RetrainRunRecord? record = null;
            if (runId is not null && await store.ReadAsync(ContainerNames.Runs, runId + ".json", cancellationToken).ConfigureAwait(false) is { } blob)
            {
                record = JsonSerializer.Deserialize<RetrainRunRecord>(blob.Content.Span);
            }

            // A failed run's status names no run id; its record is the newest one.
            record ??= await RetrainCommand.LatestRunRecordAsync(store, cancellationToken).ConfigureAwait(false);

            return (outcome, record);
        }
    }
}
