using System.Diagnostics;
using ServerlessRec.Retrieval;

namespace ServerlessRec.Cli.Commands.Bench;

/// <summary>Exact (float32) vs compressed (int8 + exact re-rank) scans over the same queries: latency in ms and recall@k vs exact.</summary>
internal sealed record IndexComparison(int Items, int K, LatencySummary ExactMs, double ExactGBps, LatencySummary CompressedMs, double CompressedGBps, double Speedup, double Recall)
{
    private const int WarmUpCalls = 40;
    private static readonly TimeSpan WarmUpTime = TimeSpan.FromMilliseconds(500);

    public static IndexComparison Measure(EmbeddedItemIndex exact, QuantizedItemIndex compressed, IReadOnlyList<float[]> queries, int k, CancellationToken cancellationToken)
    {
        // Warm up until the scan loops reach their optimised JIT tier (tier 0 and OSR code are several times slower).
        var all = new ItemFilter { AvailableOnly = false };
        var warmUp = Stopwatch.GetTimestamp();
        for (var w = 0; w < WarmUpCalls || Stopwatch.GetElapsedTime(warmUp) < WarmUpTime; w++)
        {
            exact.Search(queries[w % queries.Count], k, all);
            compressed.Search(queries[w % queries.Count], k, all);
        }

        var exactMs = new double[queries.Count];
        var compressedMs = new double[queries.Count];
        var hits = 0;
        for (var q = 0; q < queries.Count; q++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var start = Stopwatch.GetTimestamp();
            var expected = exact.Search(queries[q], k, all);
            exactMs[q] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            start = Stopwatch.GetTimestamp();
            var found = compressed.Search(queries[q], k, all);
            compressedMs[q] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
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
        }

        var exactLatency = LatencySummary.Of(exactMs);
        var compressedLatency = LatencySummary.Of(compressedMs);
        var exactBytes = (double)exact.Count * exact.Dimensions * sizeof(float);
        return new IndexComparison(
            exact.Count,
            k,
            exactLatency,
            exactBytes / (exactLatency.P50 / 1e3) / 1e9,
            compressedLatency,
            compressed.ScannedBytes / (compressedLatency.P50 / 1e3) / 1e9,
            exactLatency.P50 / compressedLatency.P50,
            (double)hits / ((double)Math.Min(k, exact.Count) * queries.Count));
    }
}
