using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using ServerlessRec.Cli.Settings;
using ServerlessRec.Events;
using ServerlessRec.Onnx;
using ServerlessRec.Pipeline;
using ServerlessRec.Serving;
using ServerlessRec.Storage;
using ServerlessRec.Training;

namespace ServerlessRec.Cli.Commands.Bench;

/// <summary>
/// <c>bench serve-http</c>: the <c>serve</c> host in-process on 127.0.0.1 over a store with a live 100k-item model
/// (untrained: latency does not depend on the weights), loaded by concurrent keep-alive clients on
/// <c>POST /api/recommendations</c>; throughput and p50/p99/p99.9, without and with <c>explain</c>.
/// </summary>
internal sealed class ServeHttpBenchmark : IBenchSuite
{
    private const double TargetRequestsPerSecond = 2_000;
    private const double TargetP99Ms = 10;
    private const int Bodies = 1_000;
    private const int WarmUpRequests = 10_000;

    private readonly BenchOptions _shared;
    private readonly Option<int> _items = CliOptions.Number("--http-items", "serve-http: items of the live model", 100_000, 100, 5_000_000);
    private readonly Option<int> _users = CliOptions.Number("--http-users", "serve-http: users with a history", 2_000, 10, 1_000_000);
    private readonly Option<int> _requests = CliOptions.Number("--requests", "serve-http: measured requests per run", 20_000, 10, 10_000_000);
    private readonly Option<double> _recentFraction = CliOptions.Number("--recent-fraction", "serve-http: share of requests that send recent items", 0.25, 0.0, 1.0);

    public ServeHttpBenchmark(BenchOptions shared)
    {
        _shared = shared;
        Options = [_items, _users, shared.Concurrency, _requests, _recentFraction];
    }

    public string Name => "serve-http";

    public string Usage => "[--http-items 100000] [--http-users 2000] [--concurrency 16] [--requests 20000] [--recent-fraction 0.25]";

    public bool RunsByDefault => true;

    public IReadOnlyList<Option> Options { get; }

    public Func<BenchContext, CancellationToken, Task<BenchSuiteResult>> Bind(ParseResult parse)
    {
        var items = parse.GetValue(_items);
        var users = parse.GetValue(_users);
        var concurrency = BenchOptions.Int(parse, _shared.Concurrency, 16, 1, 1_024);
        var requests = parse.GetValue(_requests);
        var recentFraction = parse.GetValue(_recentFraction);
        return (context, cancellationToken) => RunAsync(context, new Settings(items, users, concurrency, requests, recentFraction), cancellationToken);
    }

    private async Task<BenchSuiteResult> RunAsync(BenchContext context, Settings settings, CancellationToken cancellationToken)
    {
        var environment = BenchEnvironment.Capture(context.Time);
        var root = Path.Combine(context.ScratchDirectory, "store");
        var userIds = await CreateStoreAsync(context, Name, root, settings.Items, settings.Users, cancellationToken).ConfigureAwait(false);

        var app = ServeCommand.CreateApp(root, "http://127.0.0.1:0", context.Time);
        await using (app.ConfigureAwait(false))
        {
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
            var address = new Uri(app.Urls.Single().TrimEnd('/') + "/api/recommendations");
            using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = settings.Concurrency, PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5) };
            using var client = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(30) };
            var runs = new List<LoadResult>();
            (bool Explain, byte[][] Bodies)[] bodiesOf =
            [
                (false, RequestBodies(userIds, settings.RecentFraction, explain: false, new Random(3))),
                (true, RequestBodies(userIds, settings.RecentFraction, explain: true, new Random(3))),
            ];

            // Both kinds of request warm up before either is measured: the first measured pass (the verdict's) must
            // not be colder than the second, so every hot path reaches its optimised JIT tier first.
            foreach (var (_, bodies) in bodiesOf)
            {
                await LoadAsync(client, i => (address, bodies[i % bodies.Length]), settings.Concurrency, Math.Min(WarmUpRequests, settings.Requests), cancellationToken).ConfigureAwait(false);
            }

            foreach (var (explain, bodies) in bodiesOf)
            {
                var result = await LoadAsync(client, i => (address, bodies[i % bodies.Length]), settings.Concurrency, settings.Requests, cancellationToken).ConfigureAwait(false) with { Explain = explain };
                if (result.Errors > 0)
                {
                    throw new InvalidDataException($"{result.Errors} of {result.Requests} requests failed; first: {result.FirstError}");
                }

                runs.Add(result);
                context.Progress(Name, $"explain {explain}: {result.Requests:N0} requests in {result.Seconds:F1} s = {result.RequestsPerSecond:N0} req/s, p50 {result.LatencyMs.P50:F2} ms, p99 {result.LatencyMs.P99:F2} ms, p99.9 {result.LatencyMs.P999:F2} ms");
            }

            await app.StopAsync(cancellationToken).ConfigureAwait(false);
            var plain = runs[0];
            BenchTarget[] targets =
            [
                new("≥ 2,000 req/s", plain.RequestsPerSecond >= TargetRequestsPerSecond, $"{plain.RequestsPerSecond:N0} req/s without explain, {runs[1].RequestsPerSecond:N0} with"),
                new("p99 ≤ 10 ms", plain.LatencyMs.P99 <= TargetP99Ms, $"{plain.LatencyMs.P99:F2} ms without explain, {runs[1].LatencyMs.P99:F2} ms with"),
            ];
            var report = new ServeHttpReport(environment, settings, BenchEnvironment.PeakWorkingSetMB(), runs, targets);
            var f = BenchMarkdown.F;
            var markdown = new BenchMarkdown(Name, environment, $"{settings.Items:N0} items, {settings.Concurrency} concurrent clients")
                .Note($"`serve` (Kestrel, the code path of `serverlessrec serve`) in the same process on 127.0.0.1, live model of {settings.Items:N0} items (d=64, untrained weights), {settings.Users:N0} users with stored histories; the load generator shares the 2 cores.")
                .Note($"Each run: {settings.Requests:N0} `POST /api/recommendations` (k=10) after a warm-up of {WarmUpRequests:N0} requests of each kind (both before the first measured run), HttpClient keep-alive; {settings.RecentFraction:P0} of the requests also send 3 recentEvents. Latency = client-side request → full response body.")
                .Table(
                    ["explain", "requests", "req/s", "p50 ms", "p99 ms", "p99.9 ms", "max ms"],
                    runs.Select(r => (IReadOnlyList<string>)[r.Explain ? "yes" : "no", f(r.Requests, 0), f(r.RequestsPerSecond, 0), f(r.LatencyMs.P50), f(r.LatencyMs.P99), f(r.LatencyMs.P999), f(r.LatencyMs.Max)]))
                .Targets(targets)
                .ToString();
            return new BenchSuiteResult(Name, report, markdown);
        }
    }

    /// <summary>Writes a generated log's catalog, an untrained model over it (live) and the users' histories; returns the user ids.</summary>
    internal static Task<IReadOnlyList<string>> CreateStoreAsync(BenchContext context, string suite, string root, int items, int users, CancellationToken cancellationToken) =>
        CreateStoreAsync(context, suite, new LocalFolderBlobStore(new StorageOptions { LocalRoot = root }), items, users, cancellationToken);

    /// <summary>The same in any store (a local folder, or Azurite).</summary>
    internal static async Task<IReadOnlyList<string>> CreateStoreAsync(BenchContext context, string suite, IBlobStore store, int items, int users, CancellationToken cancellationToken)
    {
        var watch = Stopwatch.StartNew();
        var synthetic = new SyntheticLogOptions { Users = users, Items = items, Events = users * 50L, Seed = 5 };
        await new SyntheticLogGenerator(synthetic).WriteToStoreAsync(store, cancellationToken: cancellationToken).ConfigureAwait(false);
        var options = new TwoTowerOptions();
        var loader = new DatasetLoader(new EventTypeOptions(), options.FeatureBuckets);
        await loader.AddCatalogFromStoreAsync(store, cancellationToken: cancellationToken).ConfigureAwait(false);
        await loader.AddEventsFromStoreAsync(store, cancellationToken: cancellationToken).ConfigureAwait(false);
        var data = loader.Build();

        var now = context.Time.GetUtcNow();
        var model = new TwoTowerModel(data.ItemCount, data.FeatureBuckets, options.Dimensions, options.HiddenDimensions, options.Seed);
        var package = ModelExporter.Export(model, data, options, new EventTypeOptions(), "bench", now);
        await package.WriteAsync(store, cancellationToken: cancellationToken).ConfigureAwait(false);
        await ModelActivation.ActivateAsync(store, "bench", now, cancellationToken).ConfigureAwait(false);
        var seeded = await UserHistorySeeder.SeedAsync(data, new UserHistoryStore(store), cancellationToken: cancellationToken).ConfigureAwait(false);
        context.Progress(suite, $"store ready in {watch.Elapsed.TotalSeconds:F1} s: model of {data.ItemCount:N0} items live, {seeded:N0} user histories, {data.EventCount:N0} events");
        return data.UserIds;
    }

    internal static byte[][] RequestBodies(IReadOnlyList<string> userIds, double recentFraction, bool explain, Random random)
    {
        var bodies = new byte[Bodies][];
        var c = CultureInfo.InvariantCulture;
        for (var i = 0; i < Bodies; i++)
        {
            var json = new StringBuilder();
            json.Append(c, $"{{\"userId\":\"{userIds[random.Next(userIds.Count)]}\",\"k\":10,\"explain\":{(explain ? "true" : "false")}");
            if (random.NextDouble() < recentFraction)
            {
                json.Append(",\"recentEvents\":[");
                for (var e = 0; e < 3; e++)
                {
                    json.Append(c, $"{(e > 0 ? "," : string.Empty)}{{\"itemId\":\"i{1 + random.Next(1_000)}\",\"type\":\"click\"}}");
                }

                json.Append(']');
            }

            bodies[i] = Encoding.UTF8.GetBytes(json.Append('}').ToString());
        }

        return bodies;
    }

    /// <summary>
    /// Sends <paramref name="requests"/> POSTs from <paramref name="concurrency"/> keep-alive workers; request i is
    /// <paramref name="requestFor"/>(i). A non-2xx answer or a failed call counts as an error (the first is kept).
    /// </summary>
    internal static async Task<LoadResult> LoadAsync(HttpClient client, Func<int, (Uri Address, byte[] Body)> requestFor, int concurrency, int requests, CancellationToken cancellationToken)
    {
        var latencies = new double[requests];
        var next = -1;
        var errors = 0;
        string? firstError = null;
        var watch = Stopwatch.StartNew();
        var workers = Enumerable.Range(0, concurrency).Select(_ => Task.Run(
            async () =>
            {
                int i;
                while ((i = Interlocked.Increment(ref next)) < requests)
                {
                    var (address, body) = requestFor(i);
                    var start = Stopwatch.GetTimestamp();
                    string? error;
                    try
                    {
                        using var content = new ByteArrayContent(body);
                        content.Headers.ContentType = new("application/json");
                        using var response = await client.PostAsync(address, content, cancellationToken).ConfigureAwait(false);
                        var answer = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
                        error = response.IsSuccessStatusCode ? null : $"POST {address} returned {(int)response.StatusCode}: {Encoding.UTF8.GetString(answer)}";
                    }
                    catch (HttpRequestException ex)
                    {
                        error = $"POST {address} failed: {ex.Message}";
                    }

                    latencies[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
                    if (error is not null && Interlocked.Increment(ref errors) == 1)
                    {
                        firstError = error;
                    }
                }
            },
            cancellationToken)).ToArray();
        await Task.WhenAll(workers).ConfigureAwait(false);
        var seconds = watch.Elapsed.TotalSeconds;
        return new LoadResult(false, requests, seconds, requests / seconds, LatencySummary.Of(latencies), errors, firstError);
    }

    private sealed record Settings(int Items, int Users, int Concurrency, int Requests, double RecentFraction);

    internal sealed record LoadResult(bool Explain, int Requests, double Seconds, double RequestsPerSecond, LatencySummary LatencyMs, int Errors, string? FirstError);

    private sealed record ServeHttpReport(BenchEnvironment Environment, Settings Settings, double PeakWorkingSetMB, IReadOnlyList<LoadResult> Runs, IReadOnlyList<BenchTarget> Targets);
}
