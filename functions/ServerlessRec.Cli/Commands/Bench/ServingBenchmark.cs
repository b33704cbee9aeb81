using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Numerics.Tensors;
using ServerlessRec.Onnx;
using ServerlessRec.Retrieval;
using ServerlessRec.Serving;
using ServerlessRec.Training;

namespace ServerlessRec.Cli.Commands.Bench;

/// <summary>
/// <c>bench serving</c>: memory bandwidth, ONNX user tower latency, exact vs int8 scan and in-process recommend
/// latency, all measured in one run so the ratios hold on a shared machine.
/// </summary>
internal sealed class ServingBenchmark : IBenchSuite
{
    private const int HistoryLength = 100;
    private const int HiddenDimensions = 128;
    private const int TowerItems = 10_000;
    private const int SeenItems = 20;
    private const int K = 10;
    private const long BandwidthBytes = 256L << 20;
    private const int BandwidthRepeats = 7;
    private const int WarmUpCalls = 40;
    private const double TargetTowerMicroseconds = 30;
    private const double TargetBandwidthPercent = 90;
    private const double TargetSpeedup = 3;
    private const double TargetRecall = 0.99;
    private const double TargetRecommendP99Ms = 5;

    private readonly BenchOptions _shared;

    public ServingBenchmark(BenchOptions shared)
    {
        _shared = shared;
        Options = [shared.Items, shared.Dimensions, shared.Queries, shared.Calls];
    }

    public string Name => "serving";

    public string Usage => "[--items 10000,100000,1000000] [--dim 64] [--queries 200] [--calls 1000]";

    public bool RunsByDefault => true;

    public IReadOnlyList<Option> Options { get; }

    public Func<BenchContext, CancellationToken, Task<BenchSuiteResult>> Bind(ParseResult parse)
    {
        var sizes = BenchOptions.Sizes(parse, _shared.Items, "10000,100000,1000000", 100, 5_000_000).Select(s => (int)s).ToArray();
        var dim = BenchOptions.Int(parse, _shared.Dimensions, 64, 1, 1024);
        var queries = BenchOptions.Int(parse, _shared.Queries, 200, 10, 100_000);

        // A p99 from 1,000 recommend calls rests on 10 samples, not on the second-worst of 200.
        var calls = BenchOptions.Int(parse, _shared.Calls, 1_000, 10, 1_000_000);
        return (context, cancellationToken) => Task.FromResult(Run(context, sizes, dim, queries, calls, cancellationToken));
    }

    private BenchSuiteResult Run(BenchContext context, int[] sizes, int dim, int queries, int calls, CancellationToken cancellationToken)
    {
        var environment = BenchEnvironment.Capture(context.Time);
        context.Progress(Name, $"{environment.Describe()}, items {string.Join(",", sizes)}, dim {dim}, queries {queries}");
        var bandwidth = MeasureBandwidth(cancellationToken);
        context.Progress(Name, $"memory read bandwidth: {bandwidth.SingleThreadGBps:F2} GB/s (1 thread), {bandwidth.AllThreadsGBps:F2} GB/s ({environment.Cores} threads)");

        var model = new TwoTowerModel(TowerItems, 1_000, dim, HiddenDimensions, seed: 1);
        using var tower = new OnnxUserTower(TwoTowerOnnxExporter.ExportUserTower(model), HistoryLength, dim);
        var random = new Random(7);
        var towerLatency = MeasureTower(tower, RandomHistory(random), dim, Math.Max(2_000, queries * 10), cancellationToken);
        context.Progress(Name, $"ORT user tower (batch 1, L={HistoryLength}, d={dim}, hidden {HiddenDimensions}, {TowerItems} items): p50 {towerLatency.P50:F1} µs, p99 {towerLatency.P99:F1} µs");

        var catalogs = new List<CatalogResult>();
        foreach (var size in sizes)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var result = MeasureCatalog(size, dim, queries, calls, tower, bandwidth, random, cancellationToken);
            catalogs.Add(result);
            context.Progress(Name, $"{size,9:N0} items done: exact p50 {result.Scan.ExactMs.P50:F2} ms ({result.VersusSum.PercentP50:F0}% of an equal sum), int8 p50 {result.Scan.CompressedMs.P50:F2} ms, recommend ({result.Recommend.ServingIndex}) p99 {result.Recommend.ServingMs.P99:F2} ms");
        }

        var report = new ServingReport(environment, dim, queries, calls, bandwidth, towerLatency, catalogs, Targets(towerLatency, catalogs));
        return new BenchSuiteResult(Name, report, ToMarkdown(report));
    }

    /// <summary>
    /// The suite's verdicts. The compressed-scan speedup is judged at equal thread counts (exact and compressed both on
    /// one thread); the parallel ratio is reported beside it. The scan and recommend targets (set for 1M items) are
    /// judged at the largest catalog measured, which each target names.
    /// </summary>
    private static List<BenchTarget> Targets(LatencySummary tower, IReadOnlyList<CatalogResult> catalogs)
    {
        var c = CultureInfo.InvariantCulture;
        var targets = new List<BenchTarget>
        {
            new($"ONNX user tower p50 ≤ {TargetTowerMicroseconds} µs", tower.P50 <= TargetTowerMicroseconds, string.Create(c, $"p50 {tower.P50:F1} µs, p99 {tower.P99:F1} µs")),
        };
        var large = catalogs.MaxBy(r => r.Scan.Items);
        if (large is null)
        {
            return targets;
        }

        var scan = large.Scan;
        var best = Math.Max(scan.SpeedupOneThread, scan.Int4SpeedupOneThread);
        var recall = scan.SpeedupOneThread >= scan.Int4SpeedupOneThread ? scan.Recall : scan.Int4Recall;
        targets.Add(new($"exact scan ≥ {TargetBandwidthPercent}% of the 1-thread read bandwidth at {scan.Items:N0} items", large.ExactPercentOfBandwidth >= TargetBandwidthPercent, string.Create(c, $"{large.ExactPercentOfBandwidth:F0}% (of an equal-sized SIMD sum timed alternately: {large.VersusSum.PercentP50:F0}%)")));
        targets.Add(new(
            $"compressed ≥ {TargetSpeedup}× exact at {scan.Items:N0} items, both on 1 thread, recall@10 ≥ {TargetRecall}",
            best >= TargetSpeedup && recall >= TargetRecall,
            string.Create(c, $"1 thread: int8 {scan.SpeedupOneThread:F1}×, int4 {scan.Int4SpeedupOneThread:F1}×; all cores: int8 {scan.Speedup:F1}×, int4 {scan.Int4Speedup:F1}×; recall@10 int8 {scan.Recall:F3}, int4 {scan.Int4Recall:F3}")));
        targets.Add(new($"recommend (tower + search) p99 ≤ {TargetRecommendP99Ms} ms at {scan.Items:N0} items", large.Recommend.ServingMs.P99 <= TargetRecommendP99Ms, string.Create(c, $"p99 {large.Recommend.ServingMs.P99:F2} ms, p50 {large.Recommend.ServingMs.P50:F2} ms through {large.Recommend.ServingIndex}; with the history read and JSON: `bench recommend`")));
        return targets;
    }

    /// <summary>Sums a 256 MB float array (best of N), on one thread and split across all cores.</summary>
    private static BandwidthResult MeasureBandwidth(CancellationToken cancellationToken)
    {
        var data = new float[BandwidthBytes / sizeof(float)];
        data.AsSpan().Fill(1f);
        var threads = Environment.ProcessorCount;
        var chunk = (data.Length + threads - 1) / threads;
        var partial = new float[threads];

        // Enough calls on a small span for the sum to reach its optimised JIT tier before anything is timed.
        var checksum = 0f;
        for (var w = 0; w < 2_000; w++)
        {
            checksum += TensorPrimitives.Sum(data.AsSpan(w, 1_024));
        }

        double bestSingle = double.MaxValue, bestAll = double.MaxValue;
        for (var r = 0; r < BandwidthRepeats; r++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var start = Stopwatch.GetTimestamp();
            checksum += TensorPrimitives.Sum(data);
            bestSingle = Math.Min(bestSingle, Stopwatch.GetElapsedTime(start).TotalSeconds);

            start = Stopwatch.GetTimestamp();
            Parallel.For(0, threads, t =>
            {
                var from = Math.Min(data.Length, t * chunk);
                partial[t] = TensorPrimitives.Sum(data.AsSpan(from, Math.Min(chunk, data.Length - from)));
            });
            checksum += TensorPrimitives.Sum(partial);
            bestAll = Math.Min(bestAll, Stopwatch.GetElapsedTime(start).TotalSeconds);
        }

        // The sums are checked so that they are observable: the JIT cannot drop a read whose result is used.
        if (!(checksum > 0f))
        {
            throw new InvalidDataException("bandwidth measurement read no data");
        }

        return new BandwidthResult(BandwidthBytes / bestSingle / 1e9, BandwidthBytes / bestAll / 1e9);
    }

    private static LatencySummary MeasureTower(OnnxUserTower tower, History history, int dim, int runs, CancellationToken cancellationToken)
    {
        var user = new float[dim];
        for (var i = 0; i < 2_000; i++)
        {
            tower.Compute(history.Items, history.LongTerm, history.Session, user);
        }

        var samples = new double[runs];
        for (var i = 0; i < runs; i++)
        {
            if ((i & 1023) == 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
            }

            var start = Stopwatch.GetTimestamp();
            tower.Compute(history.Items, history.LongTerm, history.Session, user);
            samples[i] = Stopwatch.GetElapsedTime(start).TotalMicroseconds;
        }

        return LatencySummary.Of(samples);
    }

    private static CatalogResult MeasureCatalog(int size, int dim, int queries, int calls, OnnxUserTower tower, BandwidthResult bandwidth, Random random, CancellationToken cancellationToken)
    {
        var exact = new EmbeddedItemIndex($"bench-{size}", dim, BenchVectors.Items(BenchVectors.Uniform(size, dim, random), dim));
        var compressed = new QuantizedItemIndex(exact);
        var int4 = new QuantizedItemIndex(exact, bits: 4);
        var queryRows = BenchVectors.Rows(BenchVectors.Uniform(queries, dim, random), dim);
        var scan = IndexComparison.Measure(exact, compressed, int4, queryRows, K, cancellationToken);
        var versusSum = MeasureScanAgainstSum(exact, queryRows, cancellationToken);

        // Recommend through the exact index and through the compressed index serving picks for large catalogs (int8,
        // int4 from ServingModel.Int4FromItems), interleaved on the same histories; the exact path only for the
        // first `queries` calls, since at 1M items it costs 15 ms a call.
        var servingBits = ServingModel.CodeBitsFor(size);
        var compressedForSize = size >= ServingModel.Int4FromItems ? int4 : compressed;
        var user = new float[dim];
        var exactMs = new double[Math.Min(queries, calls)];
        var compressedMs = new double[calls];
        for (var q = -WarmUpCalls; q < calls; q++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var history = RandomHistory(random);
            var seen = new HashSet<string>(StringComparer.Ordinal);
            while (seen.Count < SeenItems)
            {
                seen.Add(exact.ItemIds[random.Next(size)]);
            }

            var filter = new ItemFilter { AvailableOnly = true, ExcludedItemIds = seen };
            var elapsed = Recommend(tower, history, user, filter, u => compressedForSize.Search(u, K, filter), size);
            if (q >= 0)
            {
                compressedMs[q] = elapsed;
            }

            if (q < exactMs.Length)
            {
                elapsed = Recommend(tower, history, user, filter, u => exact.Search(u, K, filter), size);
                if (q >= 0)
                {
                    exactMs[q] = elapsed;
                }
            }
        }

        var recommend = new RecommendResult(
            LatencySummary.Of(exactMs),
            $"int{compressedForSize.Bits}",
            LatencySummary.Of(compressedMs),
            servingBits == 0 ? "exact" : $"int{servingBits}");
        return new CatalogResult(scan, 100 * scan.ExactGBps / bandwidth.SingleThreadGBps, versusSum, recommend);
    }

    /// <summary>One in-process recommendation: the ONNX user vector, then the search; milliseconds.</summary>
    private static double Recommend(OnnxUserTower tower, History history, float[] user, ItemFilter filter, Func<float[], IReadOnlyList<ScoredItem>> search, int size)
    {
        var start = Stopwatch.GetTimestamp();
        tower.Compute(history.Items, history.LongTerm, history.Session, user);
        var results = search(user);
        var elapsed = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        return results.Count == Math.Min(K, size - SeenItems)
            ? elapsed
            : throw new InvalidDataException($"recommend at {size} items returned {results.Count} items, expected {K}");
    }

    /// <summary>
    /// The exact scan against the simplest read of the same number of bytes (a SIMD sum over a float array as large
    /// as the item matrix), one of each per query, interleaved so both see the same machine: the scan's share of the
    /// bandwidth it could get, as a ratio of medians and of best times.
    /// </summary>
    private static ScanVersusSum MeasureScanAgainstSum(EmbeddedItemIndex exact, float[][] queries, CancellationToken cancellationToken)
    {
        var probe = new float[exact.Vectors.Length];
        probe.AsSpan().Fill(0.5f);
        var all = new ItemFilter { AvailableOnly = false };
        var scanMs = new double[queries.Length];
        var sumMs = new double[queries.Length];
        var checksum = 0f;
        for (var q = -WarmUpCalls; q < queries.Length; q++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var query = queries[((q % queries.Length) + queries.Length) % queries.Length];
            var start = Stopwatch.GetTimestamp();
            checksum += exact.Search(query, K, all)[0].Score;
            var scan = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            start = Stopwatch.GetTimestamp();
            checksum += TensorPrimitives.Sum(probe);
            var sum = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            if (q >= 0)
            {
                scanMs[q] = scan;
                sumMs[q] = sum;
            }
        }

        // Used, so that the JIT cannot drop the reads.
        if (float.IsNaN(checksum))
        {
            throw new InvalidDataException("the scan or the sum read no data");
        }

        var scanSummary = LatencySummary.Of(scanMs);
        var sumSummary = LatencySummary.Of(sumMs);
        return new ScanVersusSum(sumSummary.P50, 100 * sumSummary.P50 / scanSummary.P50, 100 * sumMs[0] / scanMs[0]);
    }

    private static History RandomHistory(Random random)
    {
        var items = new int[HistoryLength];
        var longTerm = new float[HistoryLength];
        var session = new float[HistoryLength];
        for (var i = 0; i < HistoryLength; i++)
        {
            items[i] = random.Next(1, TowerItems + 1);
            longTerm[i] = random.NextSingle();
            session[i] = i >= HistoryLength - 10 ? random.NextSingle() : 0f;
        }

        return new History(items, longTerm, session);
    }

    private string ToMarkdown(ServingReport report)
    {
        var f = BenchMarkdown.F;
        return new BenchMarkdown(Name, report.Environment, $"d={report.Dimensions}, {report.Queries} queries")
            .Note($"Memory read bandwidth (sum of 256 MB floats, best of {BandwidthRepeats}): {f(report.Bandwidth.SingleThreadGBps, 2)} GB/s on 1 thread, {f(report.Bandwidth.AllThreadsGBps, 2)} GB/s on {report.Environment.Cores}.")
            .Note($"ORT user tower (batch 1, L={HistoryLength}, hidden {HiddenDimensions}, {TowerItems} items): p50 {f(report.TowerMicroseconds.P50, 1)} µs, p99 {f(report.TowerMicroseconds.P99, 1)} µs.")
            .Note("Exact = EmbeddedItemIndex (float32 scan, 1 thread); int8 = QuantizedItemIndex (int8 AVX2 scan, all cores once the codes exceed 16 MB, top max(10·k, 100) re-ranked exactly); int4 = the same with two codes per byte and an 8× deeper re-rank; all k=10, no filter. \"1-thread\" = the same compressed scan limited to one thread, interleaved with the others: the same-thread ratio to exact (\"(same)\" where the codes are under 16 MB and the scan is on one thread anyway). GB/s = bytes scanned / p50; \"% of 1-thread BW\" is of the best-of-N 256 MB sum above; catalogs under the 32 MB L3 can exceed 100%.")
            .Note("Exact vs sum: per query one exact scan and one SIMD sum over a float array of the item matrix's size, interleaved; \"% of sum\" = sum time / scan time, of the medians and of the best times.")
            .Note($"Recommend = ORT user vector + index search, available-only, {SeenItems} seen items excluded, k=10, called directly (not through RecommenderService): through the exact index ({report.Queries} calls) and through the compressed one (int8, int4 from {ServingModel.Int4FromItems:N0} items; {report.RecommendCalls:N0} calls), interleaved. \"serving uses\" is ServingModel.CodeBitsFor: exact below {ServingModel.CompressedFromItems:N0} items.")
            .Table(
                ["items", "exact p50 ms", "exact p99 ms", "exact GB/s", "% of 1-thread BW", "sum p50 ms", "% of sum p50", "% of sum best", "int8 p50 ms", "int8 p99 ms", "int8 GB/s", "speedup", "int8 1-thread p50 ms", "1-thread speedup", "recall@10", "int4 p50 ms", "int4 p99 ms", "int4 speedup", "int4 1-thread p50 ms", "int4 1-thread speedup", "int4 recall@10", "recommend exact p50 / p99 ms", "recommend compressed", "p50 ms", "p99 ms", "serving uses"],
                report.Catalogs.Select(r => (IReadOnlyList<string>)
                [
                    f(r.Scan.Items, 0), f(r.Scan.ExactMs.P50), f(r.Scan.ExactMs.P99), f(r.Scan.ExactGBps), f(r.ExactPercentOfBandwidth, 0) + "%",
                    f(r.VersusSum.SumP50Ms), f(r.VersusSum.PercentP50, 0) + "%", f(r.VersusSum.PercentBest, 0) + "%",
                    f(r.Scan.CompressedMs.P50), f(r.Scan.CompressedMs.P99), f(r.Scan.CompressedGBps), f(r.Scan.Speedup, 1) + "×", r.Scan.Int8OneThreadMs is { } one8 ? f(one8.P50) : "(same)", f(r.Scan.SpeedupOneThread, 1) + "×", f(r.Scan.Recall, 3),
                    f(r.Scan.Int4Ms.P50), f(r.Scan.Int4Ms.P99), f(r.Scan.Int4Speedup, 1) + "×", r.Scan.Int4OneThreadMs is { } one4 ? f(one4.P50) : "(same)", f(r.Scan.Int4SpeedupOneThread, 1) + "×", f(r.Scan.Int4Recall, 3),
                    $"{f(r.Recommend.ExactMs.P50)} / {f(r.Recommend.ExactMs.P99)}", r.Recommend.CompressedIndex, f(r.Recommend.CompressedMs.P50), f(r.Recommend.CompressedMs.P99), r.Recommend.ServingIndex,
                ]))
            .Targets(report.Targets)
            .ToString();
    }

    private sealed record History(int[] Items, float[] LongTerm, float[] Session);

    private sealed record BandwidthResult(double SingleThreadGBps, double AllThreadsGBps);

    private sealed record ScanVersusSum(double SumP50Ms, double PercentP50, double PercentBest);

    private sealed record RecommendResult(LatencySummary ExactMs, string CompressedIndex, LatencySummary CompressedMs, string ServingIndex)
    {
        /// <summary>Gets the latency of the index serving searches at this catalog size.</summary>
        public LatencySummary ServingMs => ServingIndex == "exact" ? ExactMs : CompressedMs;
    }

    private sealed record CatalogResult(IndexComparison Scan, double ExactPercentOfBandwidth, ScanVersusSum VersusSum, RecommendResult Recommend);

    private sealed record ServingReport(BenchEnvironment Environment, int Dimensions, int Queries, int RecommendCalls, BandwidthResult Bandwidth, LatencySummary TowerMicroseconds, IReadOnlyList<CatalogResult> Catalogs, IReadOnlyList<BenchTarget> Targets);
}
