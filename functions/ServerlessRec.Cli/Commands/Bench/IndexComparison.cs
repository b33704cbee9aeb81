using System.Diagnostics;
using ServerlessRec.Retrieval;

namespace ServerlessRec.Cli.Commands.Bench;

/// <summary>
/// Exact (float32) vs compressed (int8 and int4, each with exact re-rank) scans and, when given, the IVF index (probed
/// int8 lists, exact re-rank) over the same queries, interleaved per query so all see the same machine: latency in ms
/// and recall@k vs exact. The IVF fields are null when no IVF index was measured. The int8 and int4 scans are parallel
/// (all cores) from 16 MB of codes while the exact scan runs on one thread, so each is also measured on one thread
/// (<c>Int8OneThreadMs</c>, <c>Int4OneThreadMs</c>): the same-thread ratios are the fair comparison, the parallel ones
/// what a caller gets from an idle machine.
/// </summary>
internal sealed record IndexComparison(
    int Items,
    int K,
    LatencySummary ExactMs,
    double ExactGBps,
    LatencySummary CompressedMs,
    double CompressedGBps,
    double Speedup,
    double Recall,
    LatencySummary Int4Ms,
    double Int4Speedup,
    double Int4Recall,
    LatencySummary? IvfMs = null,
    double? IvfRecall = null,
    int? IvfNprobe = null,
    int? IvfLists = null,
    double? IvfSpeedupVsInt8 = null,
    double? IvfSpeedupVsInt4 = null,
    LatencySummary? Int8OneThreadMs = null,
    LatencySummary? Int4OneThreadMs = null)
{
    /// <summary>Gets exact p50 / int8 p50 with both on one thread (the parallel <see cref="Speedup"/> when the int8 scan already runs on one).</summary>
    public double SpeedupOneThread => Int8OneThreadMs is { } one ? ExactMs.P50 / one.P50 : Speedup;

    /// <summary>Gets exact p50 / int4 p50 with both on one thread.</summary>
    public double Int4SpeedupOneThread => Int4OneThreadMs is { } one ? ExactMs.P50 / one.P50 : Int4Speedup;

    private const int WarmUpCalls = 40;

    private static readonly TimeSpan WarmUpTime = TimeSpan.FromMilliseconds(500);

    public static IndexComparison Measure(EmbeddedItemIndex exact, QuantizedItemIndex compressed, IReadOnlyList<float[]> queries, int k, CancellationToken cancellationToken) =>
        Measure(exact, compressed, new QuantizedItemIndex(exact, bits: 4), queries, k, cancellationToken);

    /// <summary>The same, with the int4 index supplied by the caller (who searches it again afterwards).</summary>
    public static IndexComparison Measure(EmbeddedItemIndex exact, QuantizedItemIndex compressed, QuantizedItemIndex int4, IReadOnlyList<float[]> queries, int k, CancellationToken cancellationToken) =>
        Measure(exact, compressed, int4, ivf: null, queries, k, cancellationToken);

    /// <summary>The same, with an IVF index measured beside the scans.</summary>
    public static IndexComparison Measure(EmbeddedItemIndex exact, QuantizedItemIndex compressed, QuantizedItemIndex int4, IvfItemIndex? ivf, IReadOnlyList<float[]> queries, int k, CancellationToken cancellationToken)
    {
        // One-thread twins of the compressed scans when those may run in parallel (codes of 16 MB and more).
        var int8One = compressed.ScansInParallel
            ? new QuantizedItemIndex(exact, compressed.Oversample, compressed.MinCandidates, maxDegreeOfParallelism: 1, bits: compressed.Bits)
            : null;
        var int4One = int4.ScansInParallel
            ? new QuantizedItemIndex(exact, int4.Oversample, int4.MinCandidates, maxDegreeOfParallelism: 1, bits: int4.Bits)
            : null;

        // Warm up until the scan loops reach their optimised JIT tier (tier 0 and OSR code are several times slower).
        var all = new ItemFilter { AvailableOnly = false };
        var warmUp = Stopwatch.GetTimestamp();
        for (var w = 0; w < WarmUpCalls || Stopwatch.GetElapsedTime(warmUp) < WarmUpTime; w++)
        {
            exact.Search(queries[w % queries.Count], k, all);
            compressed.Search(queries[w % queries.Count], k, all);
            int4.Search(queries[w % queries.Count], k, all);
            int8One?.Search(queries[w % queries.Count], k, all);
            int4One?.Search(queries[w % queries.Count], k, all);
            ivf?.Search(queries[w % queries.Count], k, all);
        }

        var exactMs = new double[queries.Count];
        var compressedMs = new double[queries.Count];
        var int4Ms = new double[queries.Count];
        var ivfMs = new double[queries.Count];
        var int8OneMs = new double[queries.Count];
        var int4OneMs = new double[queries.Count];
        var hits = 0;
        var int4Hits = 0;
        var ivfHits = 0;
        for (var q = 0; q < queries.Count; q++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var start = Stopwatch.GetTimestamp();
            var expected = exact.Search(queries[q], k, all);
            exactMs[q] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            start = Stopwatch.GetTimestamp();
            var found = compressed.Search(queries[q], k, all);
            compressedMs[q] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            start = Stopwatch.GetTimestamp();
            var found4 = int4.Search(queries[q], k, all);
            int4Ms[q] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            hits += Hits(expected, found);
            int4Hits += Hits(expected, found4);
            if (int8One is not null)
            {
                start = Stopwatch.GetTimestamp();
                int8One.Search(queries[q], k, all);
                int8OneMs[q] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            }

            if (int4One is not null)
            {
                start = Stopwatch.GetTimestamp();
                int4One.Search(queries[q], k, all);
                int4OneMs[q] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            }

            if (ivf is not null)
            {
                start = Stopwatch.GetTimestamp();
                var foundIvf = ivf.Search(queries[q], k, all);
                ivfMs[q] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
                ivfHits += Hits(expected, foundIvf);
            }
        }

        var exactLatency = LatencySummary.Of(exactMs);
        var compressedLatency = LatencySummary.Of(compressedMs);
        var exactBytes = (double)exact.Count * exact.Dimensions * sizeof(float);
        var int4Latency = LatencySummary.Of(int4Ms);
        var ivfLatency = ivf is null ? null : LatencySummary.Of(ivfMs);
        var relevant = (double)Math.Min(k, exact.Count) * queries.Count;
        return new IndexComparison(
            exact.Count,
            k,
            exactLatency,
            exactBytes / (exactLatency.P50 / 1e3) / 1e9,
            compressedLatency,
            compressed.ScannedBytes / (compressedLatency.P50 / 1e3) / 1e9,
            exactLatency.P50 / compressedLatency.P50,
            (double)hits / ((double)Math.Min(k, exact.Count) * queries.Count),
            int4Latency,
            exactLatency.P50 / int4Latency.P50,
            (double)int4Hits / relevant,
            ivfLatency,
            ivf is null ? null : ivfHits / relevant,
            ivf?.Nprobe,
            ivf?.ListCount,
            ivfLatency is null ? null : compressedLatency.P50 / ivfLatency.P50,
            ivfLatency is null ? null : int4Latency.P50 / ivfLatency.P50,
            int8One is null ? null : LatencySummary.Of(int8OneMs),
            int4One is null ? null : LatencySummary.Of(int4OneMs));
    }

    internal static int Hits(IReadOnlyList<ScoredItem> expected, IReadOnlyList<ScoredItem> found)
    {
        var hits = 0;
        foreach (var item in found)
        {
            foreach (var e in expected)
            {
                if (e.ItemId == item.ItemId)
                {
                    hits++;
                    break;
                }
            }
        }

        return hits;
    }
}
