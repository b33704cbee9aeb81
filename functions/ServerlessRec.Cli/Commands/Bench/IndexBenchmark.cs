using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using ServerlessRec.Cli.Settings;
using ServerlessRec.Retrieval;
using ServerlessRec.Serving;
using ServerlessRec.Storage;

namespace ServerlessRec.Cli.Commands.Bench;

/// <summary>
/// <c>bench index</c>: exact (<see cref="EmbeddedItemIndex"/>) vs int8 and int4 (<see cref="QuantizedItemIndex"/>) scans vs
/// the IVF lists (<see cref="IvfItemIndex"/>): latency and recall@k vs exact, on generated clustered vectors (written to
/// and read back from .fvecs/.fbin files), on given files, or on the item vectors of trained models (<c>--model</c>: a
/// version in the configured store; <c>--model-items</c>: models trained once on generated logs and cached), where the
/// queries are held-out item vectors and the vectors of real users (their stored histories through the ONNX tower).
/// </summary>
internal sealed class IndexBenchmark : IBenchSuite
{
    private const int Clusters = 1_000;
    private const int ModelExporterCalibrationUsers = Onnx.ModelExporter.IvfCalibrationUsers;

    // The issue's targets: at a million trained items ≥ 4× today's int4 scan, at 100,000 ≥ 1.5× the int8 scan, both at
    // recall@10 ≥ 0.99; the quantiser built in ≤ 30 s at a million; its memory ≤ 1.1 × the int8 codes.
    private const double TargetRecall = 0.99;
    private const double TargetVsInt4 = 4;
    private const double TargetVsInt8 = 1.5;
    private const double TargetBuildSeconds = 30;
    private const double TargetMemoryRatio = 1.1;

    private readonly BenchOptions _shared;
    private readonly Option<string> _indexItems = BenchOptions.SizesOption("--index-items", "index: sizes of the generated bases", "100000,1000000");
    private readonly Option<int> _indexQueries = CliOptions.Number("--index-queries", "index: queries per base", 200, 2, 100_000);
    private readonly Option<string> _vectors = new("--vectors") { Description = "index: a .fvecs or .fbin base (with --queries FILE) instead of generated vectors.", HelpName = "FILE" };
    private readonly Option<string> _saveVectors = new("--save-vectors") { Description = "index: write each base and its queries as .fbin to this folder.", HelpName = "DIR" };
    private readonly Option<string> _model = new("--model") { Description = "index: the item vectors of a model version of the store (--root), the live one without VERSION.", HelpName = "VERSION", Arity = ArgumentArity.ZeroOrOne };
    private readonly Option<string> _modelItems = BenchOptions.SizesOption("--model-items", "index: item counts of models trained for the bench and cached", "100000,1000000");
    private readonly StoreOption _store;

    public IndexBenchmark(CliContext context, BenchOptions shared)
    {
        _shared = shared;
        _store = new StoreOption(context);
        Options = [_indexItems, shared.Dimensions, _indexQueries, shared.K, _vectors, shared.Queries, _model, _store.Option, _modelItems, _saveVectors];
    }

    public string Name => "index";

    public string Usage => "[--index-items 100000,1000000] [--dim 64] [--index-queries 200] [--k 10] | --vectors base.fvecs|.fbin --queries q.fvecs|.fbin [--index-queries N] [--k 10] "
        + "| --model [VERSION] [--root DIR] [--index-queries 200] [--k 10] | --model-items 100000,1000000 [--index-queries 200] [--k 10] (trained models cached in "
        + Path.Combine(Path.GetTempPath(), "serverlessrec-bench-cache") + "); any form: [--save-vectors DIR] writes each base and its queries as .fbin";

    public bool RunsByDefault => true;

    /// <summary>Where <c>--model-items</c> keeps its trained models between runs (the scratch folder is removed after each).</summary>
    public static string CacheDirectory => Path.Combine(Path.GetTempPath(), "serverlessrec-bench-cache");

    public IReadOnlyList<Option> Options { get; }

    public Func<BenchContext, CancellationToken, Task<BenchSuiteResult>> Bind(ParseResult parse)
    {
        var vectors = parse.GetValue(_vectors);
        var k = BenchOptions.Int(parse, _shared.K, 10, 1, 1_000);
        var queryCount = parse.GetValue(_indexQueries);
        var saveTo = parse.GetValue(_saveVectors);
        if (parse.GetResult(_model) is { Implicit: false })
        {
            var version = parse.GetValue(_model) is { Length: > 0 } given ? given : null;
            var cli = _store.Open(parse);
            return (context, cancellationToken) => RunAsync(context, [ct => LoadModelAsync(context, cli.Store, version, queryCount, ct)], k, saveTo, $"trained item vectors ({cli.Description})", cancellationToken);
        }

        if (parse.GetResult(_modelItems) is { Implicit: false })
        {
            var items = BenchOptions.Sizes(parse, _modelItems, "100000,1000000", 1_000, 10_000_000).Select(s => (int)s).ToArray();
            return (context, cancellationToken) => RunAsync(
                context,
                items.Select(n => (Func<CancellationToken, Task<Workload>>)(async ct => await LoadModelAsync(context, await CachedModelAsync(context, n, ct).ConfigureAwait(false), version: null, queryCount, ct).ConfigureAwait(false))).ToList(),
                k,
                saveTo,
                $"trained item vectors (models cached in {CacheDirectory})",
                cancellationToken);
        }

        if (vectors is not null)
        {
            var queries = parse.GetValue(_shared.Queries) ?? throw new CliUsageException("--vectors needs --queries (a .fvecs or .fbin file of query vectors).");
            VectorFile.FormatOf(vectors);
            VectorFile.FormatOf(queries);
            return (context, cancellationToken) => RunAsync(context, [_ => Task.FromResult(FromFiles(vectors, queries, queryCount))], k, saveTo, $"files {Path.GetFileName(vectors)} / {Path.GetFileName(queries)}", cancellationToken);
        }

        var sizes = BenchOptions.Sizes(parse, _indexItems, "100000,1000000", 10, 10_000_000).Select(s => (int)s).ToArray();
        var dim = BenchOptions.Int(parse, _shared.Dimensions, 64, 1, 4096);
        return (context, cancellationToken) =>
        {
            var random = new Random(11);
            var sources = sizes.Select(size => (Func<CancellationToken, Task<Workload>>)(_ =>
            {
                // Base and queries come from the same clusters; they go through the files as given vectors would.
                context.Progress(Name, $"generating {size:N0} + {queryCount} clustered {dim}-d vectors");
                var all = BenchVectors.Clustered(size + queryCount, dim, Clusters, random);
                var basePath = Path.Combine(context.ScratchDirectory, $"base-{size}.fvecs");
                var queryPath = Path.Combine(context.ScratchDirectory, $"queries-{size}.fbin");
                VectorFile.Write(basePath, dim, all.AsSpan(0, size * dim));
                VectorFile.Write(queryPath, dim, all.AsSpan(size * dim));
                return Task.FromResult(FromFiles(basePath, queryPath, queryCount));
            })).ToList();
            return RunAsync(context, sources, k, saveTo, $"generated: {Clusters} clusters, d={dim}", cancellationToken);
        };
    }

    private static Workload FromFiles(string vectors, string queries, int queryCount)
    {
        var watch = Stopwatch.StartNew();
        var items = VectorFile.Read(vectors);
        var read = VectorFile.Read(queries, queryCount);
        if (read.Dimensions != items.Dimensions)
        {
            throw new InvalidDataException($"{queries}: queries have dimension {read.Dimensions}, the vectors {items.Dimensions}.");
        }

        return new Workload(Path.GetFileName(vectors), items.Vectors, items.Dimensions, BenchVectors.Rows(read.Vectors, read.Dimensions), read.Count, 0, watch.Elapsed.TotalSeconds);
    }

    /// <summary>
    /// The item vectors of a model version (the live one when <paramref name="version"/> is null) as the base, less half
    /// the query budget of held-out rows that become queries; the other half are the vectors of stored users.
    /// </summary>
    private async Task<Workload> LoadModelAsync(BenchContext context, IBlobStore store, string? version, int queryCount, CancellationToken cancellationToken)
    {
        var watch = Stopwatch.StartNew();
        version ??= (await ModelPointer.ReadAsync(store, cancellationToken).ConfigureAwait(false)).Pointer?.Version
            ?? throw new CliUsageException("--model: the store has no live model; name a version (--model VERSION) or retrain first.");

        // Only the vectors, the vocabulary and the user tower are needed: no IVF lists (the bench builds and times its own).
        using var model = await ServingModel.LoadAsync(store, version, ServingMode.Embedded, int.MaxValue, cancellationToken).ConfigureAwait(false);
        var d = model.Manifest.Dimensions;
        var n = model.ItemCount;
        var heldOut = Math.Min(queryCount / 2, n / 10);
        var random = new Random(11);
        var held = new HashSet<int>();
        while (held.Count < heldOut)
        {
            held.Add(random.Next(n));
        }

        var vectors = new float[(long)(n - heldOut) * d];
        var queries = new List<float[]>(queryCount);
        var all = model.Index.Vectors;
        var next = 0;
        for (var row = 0; row < n; row++)
        {
            if (held.Contains(row))
            {
                queries.Add(all.Slice(row * d, d).ToArray());
            }
            else
            {
                all.Slice(row * d, d).CopyTo(vectors.AsSpan(next++ * d, d));
            }
        }

        // Other users than the measured ones choose nprobe with the held-out base items, as the export does with its users.
        var histories = await new UserHistoryStore(store).SampleEventsAsync(((queryCount - heldOut) * 2) + (2 * ModelExporterCalibrationUsers), cancellationToken).ConfigureAwait(false);
        var users = 0;
        var calibration = new List<float[]>();
        foreach (var events in histories)
        {
            var user = new float[d];
            if (model.TryComputeUserVector(events, user))
            {
                if (queries.Count < queryCount)
                {
                    queries.Add(user);
                    users++;
                }
                else if (calibration.Count < ModelExporterCalibrationUsers)
                {
                    calibration.Add(user);
                }
            }
        }

        context.Progress(Name, $"model {version}: {n:N0} items × {d}; {heldOut} held-out item queries, {users} user queries, {calibration.Count} other users' vectors for the IVF calibration");
        return new Workload($"model {version}", vectors, d, queries, heldOut, users, watch.Elapsed.TotalSeconds, calibration);
    }

    /// <summary>
    /// The store of a model trained once on generated logs of <paramref name="items"/> items, kept in
    /// <see cref="CacheDirectory"/>: made on first use by <c>demo --exit</c> in a child process (generate, retrain, activate).
    /// </summary>
    private async Task<IBlobStore> CachedModelAsync(BenchContext context, int items, CancellationToken cancellationToken)
    {
        var root = Path.Combine(CacheDirectory, $"trained-{items}");
        var store = new LocalFolderBlobStore(new StorageOptions { LocalRoot = root });
        if ((await ModelPointer.ReadAsync(store, cancellationToken).ConfigureAwait(false)).Pointer is not null)
        {
            return store;
        }

        var arguments = DemoArguments(root, items, LoopbackPort.Free());
        context.Progress(Name, $"no cached model of {items:N0} items: training one (serverlessrec {string.Join(' ', arguments)})");
        var start = new ProcessStartInfo(Environment.ProcessPath!) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (string.Equals(Path.GetFileNameWithoutExtension(Environment.ProcessPath), "dotnet", StringComparison.OrdinalIgnoreCase))
        {
            start.ArgumentList.Add(Environment.GetCommandLineArgs()[0]);
        }

        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        var watch = Stopwatch.StartNew();
        using var process = Process.Start(start) ?? throw new InvalidOperationException("the training process could not be started");
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        if (process.ExitCode != 0 || (await ModelPointer.ReadAsync(store, cancellationToken).ConfigureAwait(false)).Pointer is null)
        {
            // The demo waits 30 minutes for its retraining; at a million items on busy shared cores that is not enough,
            // but its logs are in place by then and a local retrain finishes the job.
            throw new InvalidOperationException($"training the cached {items:N0}-item model exited with {process.ExitCode} and no live model; its logs are in {root}: run `serverlessrec retrain --root {root} --window-days 0 --epochs 2`, then this bench again. Output: {await stdout.ConfigureAwait(false)} {await stderr.ConfigureAwait(false)}");
        }

        context.Progress(Name, $"trained and cached the {items:N0}-item model in {watch.Elapsed.TotalMinutes:F1} min");
        return store;
    }

    /// <summary>
    /// The demo run that trains a cached model: 0.3 users and 15 events per item up to 100,000 users and 3,000,000 events,
    /// 2 epochs (measured: 100,000 items with 30,000 users and 1.5 M events, 3 epochs, took 3.5 min on 2 shared cores).
    /// </summary>
    internal static IReadOnlyList<string> DemoArguments(string root, int items, int port) =>
    [
        "demo", "--root", root, "--exit", "--urls", $"http://127.0.0.1:{port}",
        "--items", items.ToString(CultureInfo.InvariantCulture),
        "--users", Math.Clamp(items * 3 / 10, 100, 100_000).ToString(CultureInfo.InvariantCulture),
        "--events", Math.Clamp(items * 15L, 10_000, 3_000_000).ToString(CultureInfo.InvariantCulture),
        "--epochs", "2",
    ];

    private async Task<BenchSuiteResult> RunAsync(BenchContext context, IReadOnlyList<Func<CancellationToken, Task<Workload>>> sources, int k, string? saveTo, string description, CancellationToken cancellationToken)
    {
        var environment = BenchEnvironment.Capture(context.Time);
        var results = new List<IndexResult>();
        foreach (var source in sources)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var workload = await source(cancellationToken).ConfigureAwait(false);
            results.Add(Measure(context, workload, k, saveTo, cancellationToken));
        }

        var targets = new List<BenchTarget>();
        foreach (var r in results)
        {
            var items = r.Scan.Items;
            var recall = r.Scan.IvfRecall ?? 0;
            if (items >= 900_000)
            {
                targets.Add(new BenchTarget($"IVF at {items:N0} items ({r.Source}): recall@{k} ≥ {TargetRecall} at ≥ {TargetVsInt4}× the int4 scan", recall >= TargetRecall && r.Scan.IvfSpeedupVsInt4 >= TargetVsInt4, string.Create(CultureInfo.InvariantCulture, $"recall {recall:F3}, {r.Scan.IvfSpeedupVsInt4:F1}× (IVF p50 {r.Scan.IvfMs!.P50:F3} ms, int4 p50 {r.Scan.Int4Ms.P50:F3} ms)")));
                targets.Add(new BenchTarget($"IVF quantiser build at {items:N0} items ≤ {TargetBuildSeconds:F0} s", r.IvfBuildSeconds <= TargetBuildSeconds, string.Create(CultureInfo.InvariantCulture, $"{r.IvfBuildSeconds:F1} s wall, {r.IvfBuildCpuSeconds:F1} s CPU, on {environment.Cores} shared cores")));
            }
            else if (items >= 50_000)
            {
                targets.Add(new BenchTarget($"IVF at {items:N0} items ({r.Source}): recall@{k} ≥ {TargetRecall} at ≥ {TargetVsInt8}× the int8 scan", recall >= TargetRecall && r.Scan.IvfSpeedupVsInt8 >= TargetVsInt8, string.Create(CultureInfo.InvariantCulture, $"recall {recall:F3}, {r.Scan.IvfSpeedupVsInt8:F1}× (IVF p50 {r.Scan.IvfMs!.P50:F3} ms, int8 p50 {r.Scan.CompressedMs.P50:F3} ms)")));
            }

            targets.Add(new BenchTarget($"IVF memory at {items:N0} items ≤ {TargetMemoryRatio}× the int8 codes", r.IvfMemoryRatio <= TargetMemoryRatio, string.Create(CultureInfo.InvariantCulture, $"{r.IvfMemoryRatio:F3}× ({r.IvfMemoryBytes / 1048576.0:F1} MB)")));
        }

        var report = new IndexReport(environment, description, k, results, targets);
        var f = BenchMarkdown.F;
        var markdown = new BenchMarkdown(Name, environment, $"{description}, k={k}")
            .Note("Exact = EmbeddedItemIndex (float32 scan, 1 thread); int8 = QuantizedItemIndex (int8 scan, all cores once the codes exceed 16 MB, top max(10·k, 100) re-ranked exactly); int4 = two codes per byte, top max(80·k, 800) re-ranked exactly; "
                + "IVF = IvfItemIndex (k-means lists, nprobe chosen at build for recall@10 ≥ 0.995 on held-out base items and, for trained models, other users than the measured ones, the probed lists' int8 codes scanned on 1 thread, top max(10·k, 200) re-ranked exactly); no filter. Recall = share of the exact top k an index also returns; IVF × = p50 of int8 (or int4) / p50 of IVF.")
            .Note("Queries: held-out item vectors (not in the base) and, for trained models, real users' vectors (stored histories through the ONNX user tower); the IVF recall is also given per kind.")
            .Table(
                ["source", "items", "dim", "queries (items/users)", "exact p50 ms", "int8 p50 ms", "int8 p99 ms", $"int8 recall@{k}", "int4 p50 ms", "int4 p99 ms", $"int4 recall@{k}", "IVF p50 ms", "IVF p99 ms", $"IVF recall@{k} (items/users)", "nprobe/lists", "IVF × int8", "IVF × int4", "IVF build s (CPU s)", "IVF mem × int8"],
                results.Select(r => (IReadOnlyList<string>)
                [
                    r.Source, f(r.Scan.Items, 0), f(r.Dimensions, 0), $"{r.ItemQueries}/{r.UserQueries}", f(r.Scan.ExactMs.P50), f(r.Scan.CompressedMs.P50), f(r.Scan.CompressedMs.P99), f(r.Scan.Recall, 3),
                    f(r.Scan.Int4Ms.P50), f(r.Scan.Int4Ms.P99), f(r.Scan.Int4Recall, 3),
                    f(r.Scan.IvfMs!.P50, 3), f(r.Scan.IvfMs.P99, 3), $"{f(r.Scan.IvfRecall ?? 0, 3)} ({f(r.IvfRecallItems, 3)}/{(r.UserQueries > 0 ? f(r.IvfRecallUsers, 3) : "–")})",
                    $"{r.Scan.IvfNprobe}/{r.Scan.IvfLists}", f(r.Scan.IvfSpeedupVsInt8 ?? 0, 1) + "×", f(r.Scan.IvfSpeedupVsInt4 ?? 0, 1) + "×", $"{f(r.IvfBuildSeconds, 1)} ({f(r.IvfBuildCpuSeconds, 1)})", f(r.IvfMemoryRatio, 3),
                ]))
            .Targets(targets)
            .ToString();
        return new BenchSuiteResult(Name, report, markdown);
    }

    // saveTo: where to write each base and its queries as .fbin files (for faiss or hnswlib to run on), or null.
    private IndexResult Measure(BenchContext context, Workload workload, int k, string? saveTo, CancellationToken cancellationToken)
    {
        var watch = Stopwatch.StartNew();
        var d = workload.Dimensions;
        if (saveTo is not null)
        {
            Directory.CreateDirectory(saveTo);
            var n = workload.Vectors.Length / d;
            VectorFile.Write(Path.Combine(saveTo, $"{n}-base.fbin"), d, workload.Vectors);
            VectorFile.Write(Path.Combine(saveTo, $"{n}-queries.fbin"), d, workload.Queries.SelectMany(q => q).ToArray());
            context.Progress(Name, $"wrote {n}-base.fbin and {n}-queries.fbin ({workload.ItemQueries} item queries first, then {workload.UserQueries} user queries) to {saveTo}");
        }

        var exact = new EmbeddedItemIndex(string.Create(CultureInfo.InvariantCulture, $"bench-{workload.Vectors.Length / d}"), d, BenchVectors.Items(workload.Vectors, d));
        var int8 = new QuantizedItemIndex(exact);
        var int4 = new QuantizedItemIndex(exact, bits: 4);
        var buildSeconds = watch.Elapsed.TotalSeconds;
        watch.Restart();

        // CPU time beside wall time: on shared cores the wall time says more about the neighbours than about the build.
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var quantiser = IvfQuantiser.Train(exact, workload.CalibrationQueries);
        var ivfBuildSeconds = watch.Elapsed.TotalSeconds;
        var ivfBuildCpuSeconds = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds;
        var ivf = new IvfItemIndex(exact, quantiser);
        context.Progress(Name, string.Create(CultureInfo.InvariantCulture, $"{workload.Source}: {exact.Count:N0} × {d}: read in {workload.ReadSeconds:F1} s, scans built in {buildSeconds:F1} s, IVF quantiser ({quantiser.ListCount} lists, nprobe {quantiser.Nprobe}, calibration recall {quantiser.CalibrationRecall:F3}) in {ivfBuildSeconds:F1} s ({ivfBuildCpuSeconds:F1} s CPU); measuring {workload.Queries.Count} queries"));
        var scan = IndexComparison.Measure(exact, int8, int4, ivf, workload.Queries, k, cancellationToken);

        // IVF recall by kind of query (the scan measured them together).
        var all = new ItemFilter { AvailableOnly = false };
        double RecallOf(IEnumerable<float[]> queries)
        {
            int hits = 0, total = 0;
            foreach (var query in queries)
            {
                var expected = exact.Search(query, k, all);
                hits += IndexComparison.Hits(expected, ivf.Search(query, k, all));
                total += expected.Count;
            }

            return total == 0 ? 0 : (double)hits / total;
        }

        var itemRecall = RecallOf(workload.Queries.Take(workload.ItemQueries));
        var userRecall = RecallOf(workload.Queries.Skip(workload.ItemQueries));
        context.Progress(Name, string.Create(CultureInfo.InvariantCulture, $"{exact.Count:N0} items: exact p50 {scan.ExactMs.P50:F2} ms, int8 p50 {scan.CompressedMs.P50:F2} ms (recall {scan.Recall:F3}), int4 p50 {scan.Int4Ms.P50:F2} ms (recall {scan.Int4Recall:F3}), IVF p50 {scan.IvfMs!.P50:F3} ms (recall {scan.IvfRecall:F3}: items {itemRecall:F3}{(workload.UserQueries > 0 ? $", users {userRecall:F3}" : string.Empty)})"));
        return new IndexResult(workload.Source, d, workload.ReadSeconds, buildSeconds, ivfBuildSeconds, ivfBuildCpuSeconds, ivf.MemoryBytes, (double)ivf.MemoryBytes / int8.ScannedBytes, workload.ItemQueries, workload.UserQueries, itemRecall, userRecall, scan);
    }

    /// <summary>A base and its queries: the first <paramref name="ItemQueries"/> held-out item vectors, then <paramref name="UserQueries"/> user vectors.</summary>
    private sealed record Workload(string Source, float[] Vectors, int Dimensions, IReadOnlyList<float[]> Queries, int ItemQueries, int UserQueries, double ReadSeconds, IReadOnlyList<float[]>? CalibrationQueries = null);

    private sealed record IndexResult(
        string Source,
        int Dimensions,
        double ReadSeconds,
        double BuildSeconds,
        double IvfBuildSeconds,
        double IvfBuildCpuSeconds,
        long IvfMemoryBytes,
        double IvfMemoryRatio,
        int ItemQueries,
        int UserQueries,
        double IvfRecallItems,
        double IvfRecallUsers,
        IndexComparison Scan);

    private sealed record IndexReport(BenchEnvironment Environment, string Vectors, int K, IReadOnlyList<IndexResult> Results, IReadOnlyList<BenchTarget> Targets);
}
