using System.CommandLine;
using System.Diagnostics;
using ServerlessRec.Cli.Settings;
using ServerlessRec.Events;
using ServerlessRec.Storage;

namespace ServerlessRec.Cli.Commands.Bench;

/// <summary>
/// <c>bench ingest</c>: parse + validate a generated JSON Lines log from the local store through
/// <see cref="EventFileReader"/>, on one thread and with one file per core; events/s and events/s/core.
/// </summary>
internal sealed class IngestBenchmark : IBenchSuite
{
    private const double TargetEventsPerSecondPerCore = 1_000_000;

    private readonly BenchOptions _shared;
    private readonly Option<long> _events = CliOptions.Number("--events", "ingest: events in the generated log", 10_000_000L, 1_000L, 1_000_000_000L);
    private readonly Option<int> _repeats = CliOptions.Number("--repeats", "ingest: passes over the log (the best counts)", 3, 1, 20);

    public IngestBenchmark(BenchOptions shared)
    {
        _shared = shared;
        Options = [_events, shared.Cache, _repeats];
    }

    public string Name => "ingest";

    public string Usage => "[--events 10000000] [--cache DIR] [--repeats 3]";

    public bool RunsByDefault => true;

    public IReadOnlyList<Option> Options { get; }

    public Func<BenchContext, CancellationToken, Task<BenchSuiteResult>> Bind(ParseResult parse)
    {
        var events = parse.GetValue(_events);
        var cache = parse.GetValue(_shared.Cache) ?? SyntheticLogCache.DefaultRoot;
        var repeats = parse.GetValue(_repeats);
        return (context, cancellationToken) => RunAsync(context, events, cache, repeats, cancellationToken);
    }

    private async Task<BenchSuiteResult> RunAsync(BenchContext context, long events, string cache, int repeats, CancellationToken cancellationToken)
    {
        var environment = BenchEnvironment.Capture(context.Time);
        var store = await SyntheticLogCache.EnsureAsync(cache, SyntheticLogCache.OptionsFor(events), context, Name, cancellationToken).ConfigureAwait(false);
        var files = new List<(string Name, EventFileFormat Format, long Bytes)>();
        await foreach (var blob in store.ListAsync(ContainerNames.Events, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            if (EventFileFormat.TryFromFileName(blob.Name, out var format))
            {
                files.Add((blob.Name, format, blob.Size));
            }
        }

        var reader = new EventFileReader(new EventTypeOptions());
        var bytes = files.Sum(f => f.Bytes);
        var modes = new List<IngestMode>();
        foreach (var threads in new[] { 1, environment.Cores })
        {
            var seconds = new double[repeats];
            Counts counts = default;
            for (var r = 0; r < repeats; r++)
            {
                var watch = Stopwatch.StartNew();
                counts = await ReadAllAsync(store, reader, files, threads, cancellationToken).ConfigureAwait(false);
                seconds[r] = watch.Elapsed.TotalSeconds;
                context.Progress(Name, $"{threads} thread(s), pass {r + 1}/{repeats}: {counts.Lines:N0} lines ({counts.Accepted:N0} accepted, {counts.Rejected:N0} rejected) in {seconds[r]:F2} s = {counts.Lines / seconds[r]:N0} lines/s");
            }

            var median = LatencySummary.Median(seconds);
            modes.Add(new IngestMode(threads, counts.Lines, counts.Accepted, counts.Rejected, median, counts.Lines / median, counts.Lines / median / threads, bytes / median / 1e6));
            if (threads == environment.Cores)
            {
                break;
            }
        }

        var single = modes[0];
        var target = new BenchTarget("≥ 1,000,000 events/s/core (1 thread, parse + validate)", single.LinesPerSecondPerCore >= TargetEventsPerSecondPerCore, $"{single.LinesPerSecondPerCore:N0} events/s/core");
        var report = new IngestReport(environment, events, files.Count, bytes, repeats, modes, [target]);
        var f = BenchMarkdown.F;
        var markdown = new BenchMarkdown(Name, environment, $"{events:N0} events, {files.Count} files, {bytes / 1e6:N0} MB")
            .Note("JSON Lines from a local store, read with EventFileReader (UTF-8 check, JSON parse, field and timestamp validation, rejected lines counted); the sink only counts. Files already in the OS cache. Median of the passes.")
            .Note("events/s counts every line read (accepted and rejected); per core = events/s / threads.")
            .Table(
                ["threads", "lines", "accepted", "rejected", "median s", "events/s", "events/s/core", "MB/s"],
                modes.Select(m => (IReadOnlyList<string>)[f(m.Threads, 0), f(m.Lines, 0), f(m.Accepted, 0), f(m.Rejected, 0), f(m.MedianSeconds), f(m.LinesPerSecond, 0), f(m.LinesPerSecondPerCore, 0), f(m.MegabytesPerSecond, 0)]))
            .Targets(report.Targets)
            .ToString();
        return new BenchSuiteResult(Name, report, markdown);
    }

    private static async Task<Counts> ReadAllAsync(LocalFolderBlobStore store, EventFileReader reader, List<(string Name, EventFileFormat Format, long Bytes)> files, int threads, CancellationToken cancellationToken)
    {
        var total = new Counts();
        var gate = new object();
        await Parallel.ForEachAsync(files, new ParallelOptions { MaxDegreeOfParallelism = threads, CancellationToken = cancellationToken }, async (file, token) =>
        {
            var stream = await store.OpenReadAsync(ContainerNames.Events, file.Name, token).ConfigureAwait(false)
                ?? throw new InvalidDataException($"events/{file.Name} disappeared during the benchmark");
            await using (stream.ConfigureAwait(false))
            {
                var sink = new CountingSink();
                var summary = reader.Read(stream, file.Name, file.Format, sink, token);
                if (sink.Accepted != summary.Accepted || (sink.Checksum == 0 && summary.Accepted > 0))
                {
                    throw new InvalidDataException($"events/{file.Name}: the sink saw {sink.Accepted} events, the reader counted {summary.Accepted}");
                }

                lock (gate)
                {
                    total = new Counts(total.Lines + summary.Lines, total.Accepted + summary.Accepted, total.Rejected + summary.Rejected);
                }
            }
        }).ConfigureAwait(false);
        return total;
    }

    private readonly record struct Counts(long Lines, long Accepted, long Rejected);

    /// <summary>Counts events and touches their fields, so the parse cannot be optimised away.</summary>
    private sealed class CountingSink : IEventSink
    {
        public long Accepted { get; private set; }

        public long Checksum { get; private set; }

        public void OnEvent(in InteractionEvent e)
        {
            Accepted++;
            Checksum += e.UserId.Length + e.ItemId.Length + e.Timestamp.Second;
        }

        public void OnRejected(RejectedLine line)
        {
        }
    }

    private sealed record IngestMode(int Threads, long Lines, long Accepted, long Rejected, double MedianSeconds, double LinesPerSecond, double LinesPerSecondPerCore, double MegabytesPerSecond);

    private sealed record IngestReport(BenchEnvironment Environment, long Events, int Files, long Bytes, int Repeats, IReadOnlyList<IngestMode> Modes, IReadOnlyList<BenchTarget> Targets);
}
