using System.CommandLine;
using System.Globalization;
using ServerlessRec.Azure.Storage;
using ServerlessRec.Cli.Settings;
using ServerlessRec.Retrieval;
using ServerlessRec.Storage;

namespace ServerlessRec.Cli.Commands.Bench;

/// <summary>
/// <c>bench recommend</c>: one recommendation at a large catalog as a caller waits for it, through <c>serve</c>'s
/// Kestrel app and <c>RecommenderService</c> (stored history read, time decay and event weights, the ONNX user tower,
/// the compressed scan, the response's JSON), one client at a time, for the local folder store and, when given, Azure
/// Blob Storage (Azurite). <c>bench serving</c> times only the tower and the search.
/// </summary>
internal sealed class RecommendBenchmark : IBenchSuite
{
    private const double TargetP99Ms = 5;
    private const int WarmUpCalls = 500;

    private readonly Option<int> _items = CliOptions.Number("--service-items", "recommend: items of the live model", 1_000_000, 100, 5_000_000);
    private readonly Option<int> _users = CliOptions.Number("--service-users", "recommend: users with a stored history", 2_000, 10, 1_000_000);
    private readonly Option<int> _calls = CliOptions.Number("--service-calls", "recommend: measured calls per store", 2_000, 10, 1_000_000);
    private readonly Option<string?> _blob = new("--blob-connection-string")
    {
        Description = "recommend: also measure with this Azure Blob Storage connection string (an Azurite account, e.g. UseDevelopmentStorage=true: the bench writes a model into it and makes it live)",
    };

    public RecommendBenchmark()
    {
        Options = [_items, _users, _calls, _blob];
    }

    public string Name => "recommend";

    public string Usage => "[--service-items 1000000] [--service-users 2000] [--service-calls 2000] [--blob-connection-string CS]";

    public bool RunsByDefault => false;

    public IReadOnlyList<Option> Options { get; }

    public Func<BenchContext, CancellationToken, Task<BenchSuiteResult>> Bind(ParseResult parse)
    {
        var items = parse.GetValue(_items);
        var users = parse.GetValue(_users);
        var calls = parse.GetValue(_calls);
        var blob = parse.GetValue(_blob);
        return (context, cancellationToken) => RunAsync(context, items, users, calls, blob, cancellationToken);
    }

    private async Task<BenchSuiteResult> RunAsync(BenchContext context, int items, int users, int calls, string? blobConnectionString, CancellationToken cancellationToken)
    {
        var environment = BenchEnvironment.Capture(context.Time);
        var stores = new List<(string Name, IBlobStore Store)>
        {
            ("local folder", new LocalFolderBlobStore(new StorageOptions { LocalRoot = Path.Combine(context.ScratchDirectory, "store") })),
        };
        if (!string.IsNullOrWhiteSpace(blobConnectionString))
        {
            stores.Add(("Azure Blob (connection string)", BlobStoreFactory.Create(new StorageOptions { Provider = StorageProvider.AzureBlob, ConnectionString = blobConnectionString })));
        }

        var results = new List<StoreResult>();
        foreach (var (name, store) in stores)
        {
            var userIds = await ServeHttpBenchmark.CreateStoreAsync(context, Name, store, items, users, cancellationToken).ConfigureAwait(false);
            var app = ServeCommand.CreateApp(store, new SearchOptions(), "http://127.0.0.1:0", context.Time);
            await using (app.ConfigureAwait(false))
            {
                await app.StartAsync(cancellationToken).ConfigureAwait(false);
                var address = new Uri(app.Urls.Single().TrimEnd('/') + "/api/recommendations");
                using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(60) };
                var bodies = ServeHttpBenchmark.RequestBodies(userIds, recentFraction: 0.25, explain: false, new Random(3));

                // The first call loads the model (vectors, codes, towers): warm up past it and into the optimised JIT tier.
                await ServeHttpBenchmark.LoadAsync(client, i => (address, bodies[i % bodies.Length]), 1, WarmUpCalls, cancellationToken).ConfigureAwait(false);
                // What the measured pass allocated and collected, server and client together (one process): tail latency
                // follows the collections.
                var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
                int[] collectionsBefore = [GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2)];
                var load = await ServeHttpBenchmark.LoadAsync(client, i => (address, bodies[(i + WarmUpCalls) % bodies.Length]), 1, calls, cancellationToken).ConfigureAwait(false);
                var allocatedPerCall = (GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore) / (double)calls;
                var collections = new GcCollections(GC.CollectionCount(0) - collectionsBefore[0], GC.CollectionCount(1) - collectionsBefore[1], GC.CollectionCount(2) - collectionsBefore[2]);
                await app.StopAsync(cancellationToken).ConfigureAwait(false);
                if (load.Errors > 0)
                {
                    throw new InvalidDataException($"{load.Errors} of {load.Requests} recommendations failed on the {name} store; first: {load.FirstError}");
                }

                var result = new StoreResult(name, items, calls, load.LatencyMs, load.RequestsPerSecond, allocatedPerCall, collections);
                results.Add(result);
                context.Progress(Name, string.Create(CultureInfo.InvariantCulture, $"{name}, {items:N0} items: p50 {load.LatencyMs.P50:F2} ms, p99 {load.LatencyMs.P99:F2} ms, p99.9 {load.LatencyMs.P999:F2} ms ({calls:N0} calls, 1 client; {allocatedPerCall / 1024:N0} KiB allocated per call, GCs gen0/1/2 {collections.Gen0}/{collections.Gen1}/{collections.Gen2})"));
            }
        }

        var targets = results
            .Select(r => new BenchTarget($"recommend p99 ≤ {TargetP99Ms} ms at {r.Items:N0} items through RecommenderService ({r.Store})", r.LatencyMs.P99 <= TargetP99Ms, string.Create(CultureInfo.InvariantCulture, $"p99 {r.LatencyMs.P99:F2} ms, p50 {r.LatencyMs.P50:F2} ms")))
            .ToList();
        var report = new RecommendReport(environment, results, targets);
        var f = BenchMarkdown.F;
        var markdown = new BenchMarkdown(Name, environment, $"{items:N0} items, {users:N0} users, 1 client")
            .Note("`POST /api/recommendations` (k=10, no explain; 25% send 3 recentEvents) to `serve`'s Kestrel app in the same process, one call at a time after a warm-up: the stored history read, time decay and event weights, the ONNX user tower, the compressed scan the live model serves from (int4 from 500k items), and the JSON, timed by the client from request to full body. The model is untrained (the cost does not depend on the weights).")
            .Table(
                ["store", "items", "calls", "p50 ms", "p99 ms", "p99.9 ms", "max ms", "calls/s", "KiB allocated per call", "GCs gen0/1/2"],
                results.Select(r => (IReadOnlyList<string>)[r.Store, f(r.Items, 0), f(r.Calls, 0), f(r.LatencyMs.P50), f(r.LatencyMs.P99), f(r.LatencyMs.P999), f(r.LatencyMs.Max), f(r.CallsPerSecond, 0), f(r.AllocatedBytesPerCall / 1024, 0), $"{r.Collections.Gen0}/{r.Collections.Gen1}/{r.Collections.Gen2}"]))
            .Targets(targets)
            .ToString();
        return new BenchSuiteResult(Name, report, markdown);
    }

    private sealed record StoreResult(string Store, int Items, int Calls, LatencySummary LatencyMs, double CallsPerSecond, double AllocatedBytesPerCall, GcCollections Collections);

    /// <summary>Garbage collections per generation during a measured pass.</summary>
    private sealed record GcCollections(int Gen0, int Gen1, int Gen2);

    private sealed record RecommendReport(BenchEnvironment Environment, IReadOnlyList<StoreResult> Results, IReadOnlyList<BenchTarget> Targets);
}
