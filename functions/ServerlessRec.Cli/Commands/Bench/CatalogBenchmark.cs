using System.CommandLine;
using System.Diagnostics;
using ServerlessRec.Catalog;
using ServerlessRec.Cli.Settings;
using ServerlessRec.Events;
using ServerlessRec.Http;
using ServerlessRec.Onnx;
using ServerlessRec.Retrieval;
using ServerlessRec.Serving;
using ServerlessRec.Storage;
using ServerlessRec.Training;

namespace ServerlessRec.Cli.Commands.Bench;

/// <summary>
/// <c>bench catalog</c>: the catalog API on the embedded index. A model of <c>--items</c> items (random weights: the
/// costs do not depend on training) is served from a local store; items are PUT in requests of 1,000 (validation, the
/// create-only update blob, the local apply), the delta segment is built from the item tower, and the search a request
/// makes is timed on the main index alone and beside a delta of 1% and of 10% new items.
/// </summary>
internal sealed class CatalogBenchmark : IBenchSuite
{
    private const double TargetSlowdown = 0.10;

    private readonly BenchOptions _shared;
    private readonly Option<int> _dimensions = CliOptions.Number("--dimensions", "catalog: the vector dimension", 64, 8, 512);

    public CatalogBenchmark(BenchOptions shared)
    {
        _shared = shared;
        Options = [shared.Items, _dimensions, shared.Queries, shared.K];
    }

    public string Name => "catalog";

    public string Usage => "[--items 100000] [--dimensions 64] [--queries 2000] [--k 10]";

    public bool RunsByDefault => false;

    public IReadOnlyList<Option> Options { get; }

    public Func<BenchContext, CancellationToken, Task<BenchSuiteResult>> Bind(ParseResult parse)
    {
        var items = BenchOptions.Int(parse, _shared.Items, 100_000, min: 1_000, max: 2_000_000);
        var dimensions = parse.GetValue(_dimensions);
        var queries = BenchOptions.Int(parse, _shared.Queries, 2_000, min: 100, max: 1_000_000);
        var k = BenchOptions.Int(parse, _shared.K, 10, min: 1, max: 100);
        return (context, cancellationToken) => RunAsync(context, items, dimensions, queries, k, cancellationToken);
    }

    private async Task<BenchSuiteResult> RunAsync(BenchContext context, int itemCount, int dimensions, int queries, int k, CancellationToken cancellationToken)
    {
        var environment = BenchEnvironment.Capture(context.Time);
        var store = new LocalFolderBlobStore(new StorageOptions { LocalRoot = Path.Combine(context.ScratchDirectory, "store") });
        context.Progress(Name, $"exporting a {itemCount:N0}-item, {dimensions}-dimension model");
        await WriteModelAsync(store, itemCount, dimensions, context.Time.GetUtcNow(), cancellationToken).ConfigureAwait(false);

        using var models = new LiveModelProvider(store, context.Time);
        var model = (await models.GetCurrentAsync(cancellationToken).ConfigureAwait(false))!;
        using var live = new LiveCatalog(new CatalogUpdateStore(store, context.Time), store, context.Time);
        var catalog = new CatalogService(live, models, store);
        var main = model.SearchIndex!;
        var random = new Random(11);
        var queryVectors = Enumerable.Range(0, 256).Select(_ => RandomUnit(random, dimensions)).ToArray();
        var filters = new (string Name, ItemFilter Filter)[] { ("no filter", ItemFilter.None), ("one category", new ItemFilter { Categories = ["c3"] }) };

        var rows = new List<CatalogRow>();
        var putSeconds = 0.0;
        var put = 0;
        var builds = new List<(double Share, int Items, double Seconds)>();
        var deltaSearches = new List<string>();
        foreach (var share in new[] { 0.01, 0.10 })
        {
            var target = (int)(itemCount * share);
            var watch = Stopwatch.StartNew();
            while (put < target)
            {
                var batch = Enumerable.Range(put, Math.Min(CatalogService.MaxItemsPerPut, target - put))
                    .Select(i => (PutCatalogItem?)new PutCatalogItem { ItemId = $"new-{i}", Title = $"New item {i}", Categories = [$"c{i % 20}"], Tags = [$"t{i % 50}"] })
                    .ToList();
                await catalog.PutAsync(batch, cancellationToken).ConfigureAwait(false);
                put += batch.Count;
            }

            putSeconds += watch.Elapsed.TotalSeconds;
            watch.Restart();
            var overlay = await live.OverlayForAsync(model, cancellationToken).ConfigureAwait(false);
            builds.Add((share, overlay.Delta?.Count ?? 0, watch.Elapsed.TotalSeconds));
            deltaSearches.Add($"{share:P0}: {overlay.DeltaSearchDescription}");
            context.Progress(Name, $"{share:P0} new items: {put:N0} PUT, delta of {overlay.Delta?.Count ?? 0:N0} built in {watch.Elapsed.TotalSeconds:F2} s");
            foreach (var (name, filter) in filters)
            {
                // Interleaved (main alone, then main beside the delta, for each query): a busy shared host's load drifts
                // over seconds, and both columns must see the same drift.
                var (alone, beside) = TimePairs(
                    queries,
                    i => main.SearchAsync(queryVectors[i % queryVectors.Length], k, filter),
                    i => overlay.SearchAsync(main, queryVectors[i % queryVectors.Length], k, filter));
                rows.Add(new CatalogRow(share, name, alone, beside));
            }
        }

        var putPerSecond = put / putSeconds;
        var worstAtTen = rows.Where(r => r.Share >= 0.10).Max(r => r.Slowdown);
        var targets = new[] { new BenchTarget("search beside a 10% delta ≤ 10% slower (p50)", worstAtTen <= TargetSlowdown, $"{worstAtTen:P1} slower at worst") };
        var f = BenchMarkdown.F;
        var markdown = new BenchMarkdown(Name, environment, $"{itemCount:N0} items × {dimensions} dimensions, main index {main.GetType().Name}, k = {k}, {queries:N0} queries per row")
            .Note($"PUT /api/items path (validation, create-only update blob in a local store, local apply), requests of {CatalogService.MaxItemsPerPut:N0}: {f(putPerSecond, 0)} items/s over {put:N0} items.")
            .Note("Delta segment build on an instance (item tower on ONNX Runtime + index): " + string.Join("; ", builds.Select(b => $"{b.Share:P0}: {b.Items:N0} items in {f(b.Seconds, 2)} s ({f(b.Items / Math.Max(b.Seconds, 1e-9), 0)} items/s; vectors already in the previous delta are reused)")) + ".")
            .Note("Delta search: " + string.Join("; ", deltaSearches) + ".")
            .Table(
                ["new items", "filter", "main alone p50 ms", "p99 ms", "beside the delta p50 ms", "p99 ms", "slower (p50)"],
                rows.Select(r => (IReadOnlyList<string>)[$"{r.Share:P0}", r.Filter, f(r.Alone.P50, 3), f(r.Alone.P99, 3), f(r.Beside.P50, 3), f(r.Beside.P99, 3), $"{r.Slowdown:+0.0%;-0.0%}"]))
            .Targets(targets)
            .ToString();
        return new BenchSuiteResult(Name, new CatalogReport(environment, itemCount, dimensions, k, queries, putPerSecond, builds.Select(b => new DeltaBuild(b.Share, b.Items, b.Seconds)).ToList(), rows, targets), markdown);
    }

    private static (LatencySummary Alone, LatencySummary Beside) TimePairs(int queries, Func<int, ValueTask<IReadOnlyList<ScoredItem>>> alone, Func<int, ValueTask<IReadOnlyList<ScoredItem>>> beside)
    {
        for (var i = 0; i < Math.Min(200, queries); i++)
        {
            alone(i).AsTask().GetAwaiter().GetResult();
            beside(i).AsTask().GetAwaiter().GetResult();
        }

        var a = new double[queries];
        var b = new double[queries];
        for (var i = 0; i < queries; i++)
        {
            // Alternate which goes first, so neither always runs on the caches the other warmed.
            var first = i % 2 == 0;
            var t0 = Stopwatch.GetTimestamp();
            (first ? alone : beside)(i).AsTask().GetAwaiter().GetResult();
            var t1 = Stopwatch.GetTimestamp();
            (first ? beside : alone)(i).AsTask().GetAwaiter().GetResult();
            var t2 = Stopwatch.GetTimestamp();
            (first ? a : b)[i] = Stopwatch.GetElapsedTime(t0, t1).TotalMilliseconds;
            (first ? b : a)[i] = Stopwatch.GetElapsedTime(t1, t2).TotalMilliseconds;
        }

        return (LatencySummary.Of(a), LatencySummary.Of(b));
    }

    private static async Task WriteModelAsync(IBlobStore store, int itemCount, int dimensions, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var options = new TwoTowerOptions { Dimensions = dimensions, HiddenDimensions = dimensions, HistoryLength = 20 };
        var builder = new InteractionDatasetBuilder(new EventTypeOptions(), options.FeatureBuckets);
        for (var i = 0; i < itemCount; i++)
        {
            builder.AddItemFeatures($"i{i}", [$"c{i % 20}"], [$"t{i % 50}"]);
        }

        var random = new Random(5);
        for (var e = 0; e < 20_000; e++)
        {
            builder.Add(new InteractionEvent($"u{e % 500}", $"i{random.Next(itemCount)}", "view", now.AddDays(-1).AddSeconds(e)));
        }

        var data = builder.Build();
        var model = new TwoTowerModel(data.ItemCount, options.FeatureBuckets, dimensions, options.HiddenDimensions, seed: 3);
        var package = ModelExporter.Export(model, data, options, new EventTypeOptions(), "bench", now);
        await package.WriteAsync(store, cancellationToken: cancellationToken).ConfigureAwait(false);
        await ModelPointer.WriteAsync(store, new ModelPointer { Version = "bench", ActivatedAt = now }, expectedETag: null, cancellationToken).ConfigureAwait(false);
    }

    private static float[] RandomUnit(Random random, int dimensions)
    {
        var vector = Enumerable.Range(0, dimensions).Select(_ => (float)((random.NextDouble() * 2) - 1)).ToArray();
        var norm = MathF.Sqrt(vector.Sum(v => v * v));
        return vector.Select(v => v / norm).ToArray();
    }

    private sealed record CatalogRow(double Share, string Filter, LatencySummary Alone, LatencySummary Beside)
    {
        public double Slowdown => (Beside.P50 / Alone.P50) - 1;
    }

    private sealed record DeltaBuild(double Share, int Items, double Seconds);

    private sealed record CatalogReport(BenchEnvironment Environment, int Items, int Dimensions, int K, int Queries, double PutItemsPerSecond, IReadOnlyList<DeltaBuild> DeltaBuilds, IReadOnlyList<CatalogRow> Rows, IReadOnlyList<BenchTarget> Targets);
}
