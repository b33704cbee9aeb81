using System.Diagnostics;
using System.Globalization;
using ServerlessRec.Retrieval;

namespace ServerlessRec.Cli.Commands.Bench;

/// <summary>
/// <c>bench index</c>: exact (<see cref="EmbeddedItemIndex"/>) vs int8 (<see cref="QuantizedItemIndex"/>) scan latency and
/// recall@k vs exact, on generated clustered vectors (written to and read back from .fvecs/.fbin files) or on given files.
/// </summary>
internal sealed class IndexBenchmark : IBenchSuite
{
    private const int Clusters = 1_000;

    public string Name => "index";

    public string Usage => "[--index-items 100000,1000000] [--dim 64] [--index-queries 200] [--k 10] | --vectors base.fvecs|.fbin --queries q.fvecs|.fbin [--index-queries N] [--k 10]";

    public bool RunsByDefault => true;

    public Func<BenchContext, CancellationToken, Task<BenchSuiteResult>> Bind(CliArguments args)
    {
        var vectors = args.String("vectors");
        var k = args.Int("k", 10, 1, 1_000);
        var queryCount = args.Int("index-queries", 200, 1, 100_000);
        if (vectors is not null)
        {
            var queries = args.String("queries") ?? throw new CliUsageException("--vectors needs --queries (a .fvecs or .fbin file of query vectors).");
            VectorFile.FormatOf(vectors);
            VectorFile.FormatOf(queries);
            return (context, cancellationToken) => Task.FromResult(Run(context, [new VectorSource(vectors, queries)], k, queryCount, $"files {Path.GetFileName(vectors)} / {Path.GetFileName(queries)}", cancellationToken));
        }

        var sizes = BenchOptions.Sizes(args, "index-items", "100000,1000000", 10, 10_000_000).Select(s => (int)s).ToArray();
        var dim = args.Int("dim", 64, 1, 4096);
        return (context, cancellationToken) =>
        {
            var sources = new List<VectorSource>();
            var random = new Random(11);
            foreach (var size in sizes)
            {
                // Base and queries come from the same clusters; they go through the files as given vectors would.
                context.Progress(Name, $"generating {size:N0} + {queryCount} clustered {dim}-d vectors");
                var all = BenchVectors.Clustered(size + queryCount, dim, Clusters, random);
                var basePath = Path.Combine(context.ScratchDirectory, $"base-{size}.fvecs");
                var queryPath = Path.Combine(context.ScratchDirectory, $"queries-{size}.fbin");
                VectorFile.Write(basePath, dim, all.AsSpan(0, size * dim));
                VectorFile.Write(queryPath, dim, all.AsSpan(size * dim));
                sources.Add(new VectorSource(basePath, queryPath));
            }

            return Task.FromResult(Run(context, sources, k, queryCount, $"generated: {Clusters} clusters, d={dim}", cancellationToken));
        };
    }

    private BenchSuiteResult Run(BenchContext context, IReadOnlyList<VectorSource> sources, int k, int queryCount, string description, CancellationToken cancellationToken)
    {
        var environment = BenchEnvironment.Capture(context.Time);
        var results = new List<IndexResult>();
        foreach (var source in sources)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var watch = Stopwatch.StartNew();
            var items = VectorFile.Read(source.Vectors);
            var queries = VectorFile.Read(source.Queries, queryCount);
            if (queries.Dimensions != items.Dimensions)
            {
                throw new InvalidDataException($"{source.Queries}: queries have dimension {queries.Dimensions}, the vectors {items.Dimensions}.");
            }

            var readSeconds = watch.Elapsed.TotalSeconds;
            watch.Restart();
            var exact = new EmbeddedItemIndex(string.Create(CultureInfo.InvariantCulture, $"bench-{items.Count}"), items.Dimensions, BenchVectors.Items(items.Vectors, items.Dimensions));
            var compressed = new QuantizedItemIndex(exact);
            var buildSeconds = watch.Elapsed.TotalSeconds;
            context.Progress(Name, $"{items.Count:N0} × {items.Dimensions}: read in {readSeconds:F1} s, indexes built in {buildSeconds:F1} s; measuring {queries.Count} queries");
            var scan = IndexComparison.Measure(exact, compressed, BenchVectors.Rows(queries.Vectors, queries.Dimensions), k, cancellationToken);
            results.Add(new IndexResult(items.Dimensions, readSeconds, buildSeconds, scan));
            context.Progress(Name, $"{items.Count:N0} items: exact p50 {scan.ExactMs.P50:F2} ms, int8 p50 {scan.CompressedMs.P50:F2} ms, recall@{k} {scan.Recall:F3}");
        }

        var targets = new List<BenchTarget>();
        var report = new IndexReport(environment, description, k, queryCount, results, targets);
        var f = BenchMarkdown.F;
        var markdown = new BenchMarkdown(Name, environment, $"{description}, k={k}")
            .Note("Exact = EmbeddedItemIndex (float32 scan, 1 thread); int8 = QuantizedItemIndex (int8 scan, all cores once the codes exceed 16 MB, top max(10·k, 100) re-ranked exactly); int4 = two codes per byte, top max(80·k, 800) re-ranked exactly; no filter. Recall = share of the exact top k the compressed scan also returns.")
            .Table(
                ["items", "dim", "exact p50 ms", "exact p99 ms", "exact GB/s", "int8 p50 ms", "int8 p99 ms", "int8 GB/s", "speedup", $"recall@{k}", "int4 p50 ms", "int4 p99 ms", "int4 speedup", $"int4 recall@{k}", "build s"],
                results.Select(r => (IReadOnlyList<string>)
                [
                    f(r.Scan.Items, 0), f(r.Dimensions, 0), f(r.Scan.ExactMs.P50), f(r.Scan.ExactMs.P99), f(r.Scan.ExactGBps), f(r.Scan.CompressedMs.P50), f(r.Scan.CompressedMs.P99),
                    f(r.Scan.CompressedGBps), f(r.Scan.Speedup, 1) + "×", f(r.Scan.Recall, 3),
                    f(r.Scan.Int4Ms.P50), f(r.Scan.Int4Ms.P99), f(r.Scan.Int4Speedup, 1) + "×", f(r.Scan.Int4Recall, 3), f(r.BuildSeconds, 1),
                ]))
            .ToString();
        return new BenchSuiteResult(Name, report, markdown);
    }

    private sealed record VectorSource(string Vectors, string Queries);

    private sealed record IndexResult(int Dimensions, double ReadSeconds, double BuildSeconds, IndexComparison Scan);

    private sealed record IndexReport(BenchEnvironment Environment, string Vectors, int K, int Queries, IReadOnlyList<IndexResult> Results, IReadOnlyList<BenchTarget> Targets);
}
