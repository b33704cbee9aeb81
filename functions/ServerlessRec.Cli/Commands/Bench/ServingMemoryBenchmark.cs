using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using ServerlessRec.Cli.Settings;
using ServerlessRec.Events;
using ServerlessRec.Onnx;
using ServerlessRec.Retrieval;
using ServerlessRec.Serving;
using ServerlessRec.Storage;
using ServerlessRec.Training;

namespace ServerlessRec.Cli.Commands.Bench;

/// <summary>
/// <c>bench serving-memory</c>: how much a serving process holds for a catalog, embedded mode beside AI Search mode.
/// For each catalog size it writes a synthetic model package (random towers, no training) through the exporter, then
/// loads it in a fresh child process per mode and repetition, answers a few recommendation, explain, diversity and
/// similar-item calls, and reads the child's working set and GC heap after a full collection. In AI Search mode the
/// search service is a stand-in that returns known items (its memory is the service's, not the instance's).
/// </summary>
internal sealed class ServingMemoryBenchmark : IBenchSuite
{
    private const string ChildMarker = "serving-memory-child ";
    private const double TargetGrowthMB = 50;

    private readonly BenchOptions _shared;
    private readonly Option<int> _loads = CliOptions.Number("--loads", "serving-memory: fresh processes per mode and size", 3, 1, 20);

    // The child process's options: the parent runs `bench serving-memory --measure-store … --measure-mode …`.
    private readonly Option<string> _measureStore = new("--measure-store") { Hidden = true };
    private readonly Option<ServingMode?> _measureMode = new("--measure-mode") { Hidden = true };

    public ServingMemoryBenchmark(BenchOptions shared)
    {
        _shared = shared;
        Options = [shared.Items, shared.Dimensions, _loads, shared.Calls, _measureStore, _measureMode];
    }

    public string Name => "serving-memory";

    public string Usage => "[--items 100000,1000000] [--dim 64] [--loads 3] [--calls 50]";

    public bool RunsByDefault => false;

    public IReadOnlyList<Option> Options { get; }

    public Func<BenchContext, CancellationToken, Task<BenchSuiteResult>> Bind(ParseResult parse)
    {
        if (parse.GetValue(_measureStore) is { } childStore)
        {
            var mode = parse.GetValue(_measureMode) ?? throw new CliUsageException("--measure-mode is required.");
            var childCalls = BenchOptions.Int(parse, _shared.Calls, 50, 1, 100_000);
            return async (context, cancellationToken) =>
            {
                var sample = await MeasureAsync(childStore, mode, childCalls, cancellationToken).ConfigureAwait(false);
                context.Output.WriteLine(ChildMarker + JsonSerializer.Serialize(sample));
                return new BenchSuiteResult(Name, sample, string.Empty);
            };
        }

        var sizes = BenchOptions.Sizes(parse, _shared.Items, "100000,1000000", 1_000, 5_000_000).Select(s => (int)s).ToArray();
        var dim = BenchOptions.Int(parse, _shared.Dimensions, 64, 4, 1024);
        var loads = parse.GetValue(_loads);
        var calls = BenchOptions.Int(parse, _shared.Calls, 50, 1, 100_000);
        return (context, cancellationToken) => RunAsync(context, sizes, dim, loads, calls, cancellationToken);
    }

    private async Task<BenchSuiteResult> RunAsync(BenchContext context, int[] sizes, int dim, int loads, int calls, CancellationToken cancellationToken)
    {
        var environment = BenchEnvironment.Capture(context.Time);
        context.Progress(Name, $"{environment.Describe()}, items {string.Join(",", sizes)}, dim {dim}, {loads} loads per mode and size, {calls} calls per load");
        var rows = new List<MemoryRow>();
        foreach (var size in sizes)
        {
            var root = Path.Combine(context.ScratchDirectory, $"store-{size}");
            var clock = Stopwatch.StartNew();
            await WritePackageAsync(root, size, dim, cancellationToken).ConfigureAwait(false);
            context.Progress(Name, $"{size:N0} items: package written in {clock.Elapsed.TotalSeconds:F1} s");
            foreach (var mode in new[] { ServingMode.RemoteIndex, ServingMode.Embedded })
            {
                var samples = new List<MemorySample>();
                for (var l = 0; l < loads; l++)
                {
                    samples.Add(await RunChildAsync(context, root, mode, calls, cancellationToken).ConfigureAwait(false));
                }

                var row = new MemoryRow(
                    mode == ServingMode.RemoteIndex ? "AI Search" : "embedded",
                    size,
                    Median(samples.Select(s => s.WorkingSetMB)),
                    Median(samples.Select(s => s.GcHeapMB)),
                    Median(samples.Select(s => s.BaselineWorkingSetMB)),
                    Median(samples.Select(s => s.PeakWorkingSetMB)),
                    Median(samples.Select(s => s.LoadSeconds)),
                    samples);
                rows.Add(row);
                context.Progress(Name, $"{size,9:N0} items, {row.Mode}: working set {row.WorkingSetMB:F0} MB (peak {row.PeakWorkingSetMB:F0} MB while loading), GC heap {row.GcHeapMB:F0} MB, load {row.LoadSeconds:F1} s (median of {loads})");
            }

            Directory.Delete(root, recursive: true);
        }

        var growth = rows.GroupBy(r => r.Mode).Select(g =>
        {
            var ordered = g.OrderBy(r => r.Items).ToList();
            return new MemoryGrowth(g.Key, ordered[0].Items, ordered[^1].Items, ordered[^1].WorkingSetMB - ordered[0].WorkingSetMB, ordered[^1].GcHeapMB - ordered[0].GcHeapMB);
        }).ToList();
        var aiSearch = growth.FirstOrDefault(g => g.Mode == "AI Search");
        var targets = aiSearch is null || aiSearch.FromItems == aiSearch.ToItems
            ? new List<BenchTarget>()
            : [new BenchTarget($"AI Search mode grows by ≤ {TargetGrowthMB:F0} MB from {aiSearch.FromItems:N0} to {aiSearch.ToItems:N0} items", aiSearch.WorkingSetGrowthMB <= TargetGrowthMB, $"{aiSearch.WorkingSetGrowthMB:F1} MB working set, {aiSearch.GcHeapGrowthMB:F1} MB GC heap")];

        var report = new MemoryReport(environment, dim, loads, calls, rows, growth, targets);
        var markdown = new BenchMarkdown(Name, environment, $"dim {dim}, median of {loads} fresh processes per row, {calls} recommendation calls per load (explain, diversity, similar items, popular); measured after a full GC")
            .Table(["mode", "items", "working set MB", "GC heap MB", "peak working set MB", "start-up working set MB", "load s"], rows.Select(r => (IReadOnlyList<string>)[r.Mode, r.Items.ToString("N0", CultureInfo.InvariantCulture), BenchMarkdown.F(r.WorkingSetMB, 0), BenchMarkdown.F(r.GcHeapMB, 0), BenchMarkdown.F(r.PeakWorkingSetMB, 0), BenchMarkdown.F(r.BaselineWorkingSetMB, 0), BenchMarkdown.F(r.LoadSeconds, 1)]))
            .Table(["mode", "from", "to", "working set growth MB", "GC heap growth MB"], growth.Select(g => (IReadOnlyList<string>)[g.Mode, g.FromItems.ToString("N0", CultureInfo.InvariantCulture), g.ToItems.ToString("N0", CultureInfo.InvariantCulture), BenchMarkdown.F(g.WorkingSetGrowthMB, 1), BenchMarkdown.F(g.GcHeapGrowthMB, 1)]))
            .Targets(targets);
        return new BenchSuiteResult(Name, report, markdown.ToString());
    }

    /// <summary>A package of <paramref name="items"/> items with random towers, exported as a retraining would, and made live.</summary>
    private static async Task WritePackageAsync(string root, int items, int dim, CancellationToken cancellationToken)
    {
        var store = new LocalFolderBlobStore(new StorageOptions { LocalRoot = root });
        var options = new TwoTowerOptions { Dimensions = dim, HiddenDimensions = dim, HistoryLength = 50 };
        var builder = new InteractionDatasetBuilder(new EventTypeOptions(), options.FeatureBuckets);
        for (var i = 0; i < items; i++)
        {
            builder.AddItemFeatures(ItemId(i), [$"c{i % 40}"]);
        }

        // Skewed popularity: a few users touch the head of the catalog, so the popular list is not a tie.
        var start = DateTimeOffset.Parse("2026-11-01T00:00:00Z", CultureInfo.InvariantCulture);
        for (var u = 0; u < 200; u++)
        {
            for (var e = 0; e < 20; e++)
            {
                builder.Add(new InteractionEvent($"u{u}", ItemId((u * 31 + (e * e * 7)) % Math.Min(items, 5_000)), "view", start.AddMinutes((u * 20) + e)));
            }
        }

        var data = builder.Build();
        var model = new TwoTowerModel(data.ItemCount, data.FeatureBuckets, dim, dim, seed: 11);
        var package = ModelExporter.Export(model, data, options, new EventTypeOptions(), "bench", start);
        await package.WriteAsync(store, cancellationToken: cancellationToken).ConfigureAwait(false);
        await ModelPointer.WriteAsync(store, new ModelPointer { Version = "bench", ActivatedAt = start }, expectedETag: null, cancellationToken).ConfigureAwait(false);
    }

    private static string ItemId(int i) => "item-" + i.ToString(CultureInfo.InvariantCulture);

    private async Task<MemorySample> RunChildAsync(BenchContext context, string root, ServingMode mode, int calls, CancellationToken cancellationToken)
    {
        // A fresh process per load: a process's working set does not shrink back after a large model was disposed.
        var start = new ProcessStartInfo(Environment.ProcessPath!) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (string.Equals(Path.GetFileNameWithoutExtension(Environment.ProcessPath), "dotnet", StringComparison.OrdinalIgnoreCase))
        {
            start.ArgumentList.Add(Environment.GetCommandLineArgs()[0]);
        }

        foreach (var arg in new[] { "bench", Name, "--measure-store", root, "--measure-mode", mode.ToString(), "--calls", calls.ToString(CultureInfo.InvariantCulture), "--out", Path.Combine(context.ScratchDirectory, "child") })
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("the measuring process could not be started");
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        var line = (await stdout.ConfigureAwait(false)).Split('\n').FirstOrDefault(l => l.StartsWith(ChildMarker, StringComparison.Ordinal));
        if (process.ExitCode != 0 || line is null)
        {
            throw new InvalidOperationException($"the measuring process ({mode}) exited with {process.ExitCode}: {await stderr.ConfigureAwait(false)}");
        }

        return JsonSerializer.Deserialize<MemorySample>(line[ChildMarker.Length..])!;
    }

    private static async Task<MemorySample> MeasureAsync(string root, ServingMode mode, int calls, CancellationToken cancellationToken)
    {
        var baseline = Settle();
        var store = new LocalFolderBlobStore(new StorageOptions { LocalRoot = root });
        var clock = Stopwatch.StartNew();
        using var models = new LiveModelProvider(store, TimeProvider.System, mode: mode);
        var model = await models.GetCurrentAsync(cancellationToken).ConfigureAwait(false) ?? throw new InvalidOperationException("no live model in " + root);
        var loadSeconds = clock.Elapsed.TotalSeconds;
        IServingIndexResolver resolver = mode == ServingMode.Embedded ? EmbeddedIndexResolver.Instance : new StandInResolver(model.ItemCount);
        var service = new RecommenderService(models, new UserHistoryStore(store), TimeProvider.System, resolver);
        var now = DateTimeOffset.UtcNow;
        var random = new Random(3);
        var returned = 0;
        for (var c = 0; c < calls; c++)
        {
            var events = Enumerable.Range(0, 1 + random.Next(30))
                .Select(e => new RequestEvent { ItemId = ItemId(random.Next(model.ItemCount)), Type = "view", Timestamp = now.AddMinutes(e - 60) })
                .ToList();
            var response = await service.RecommendAsync(new RecommendationRequest { UserId = $"bench-{c}", RecentEvents = events, K = 10, Explain = c % 2 == 0, Diversity = c % 3 == 0 ? 0.5 : 0 }, cancellationToken).ConfigureAwait(false);
            var popular = await service.RecommendAsync(new RecommendationRequest { UserId = $"bench-new-{c}", K = 10 }, cancellationToken).ConfigureAwait(false);
            var similar = await service.SimilarAsync(ItemId(random.Next(model.ItemCount)), 10, cancellationToken: cancellationToken).ConfigureAwait(false);
            returned += response.Items.Count + popular.Items.Count + similar.Items.Count;
        }

        var after = Settle();
        GC.KeepAlive(model);
        return new MemorySample(mode.ToString(), model.ItemCount, baseline.WorkingSetMB, after.WorkingSetMB, after.GcHeapMB, BenchEnvironment.PeakWorkingSetMB(), loadSeconds, returned);
    }

    private static (double WorkingSetMB, double GcHeapMB) Settle()
    {
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        using var self = Process.GetCurrentProcess();
        return (self.WorkingSet64 / 1048576.0, GC.GetGCMemoryInfo(GCKind.Any).HeapSizeBytes / 1048576.0);
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }

    /// <summary>Stands in for the version's Azure AI Search index: answers known items, holding nothing of the catalog.</summary>
    private sealed class StandInResolver(int items) : IServingIndexResolver
    {
        public ValueTask<IItemIndex> ResolveAsync(ServingModel model, CancellationToken cancellationToken = default) => ValueTask.FromResult<IItemIndex>(new StandInIndex(model.Version, items));
    }

    private sealed class StandInIndex(string version, int items) : IItemIndex
    {
        public string Version => version;

        public ValueTask<IReadOnlyList<ScoredItem>> SearchAsync(ReadOnlyMemory<float> query, int k, ItemFilter filter, CancellationToken cancellationToken = default)
        {
            var results = new List<ScoredItem>(k);
            var seed = (int)(MathF.Abs(query.Span[0]) * 1e6f);
            for (var i = 0; results.Count < Math.Min(k, items); i++)
            {
                var id = ItemId((int)(((long)seed + (i * 7919L)) % items));
                if (filter.ExcludedItemIds?.Contains(id) != true)
                {
                    results.Add(new ScoredItem(id, 1f - (i * 1e-4f)));
                }
            }

            return ValueTask.FromResult<IReadOnlyList<ScoredItem>>(results);
        }
    }
}
