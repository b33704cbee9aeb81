using System.Collections.Concurrent;
using System.CommandLine;
using System.Diagnostics;
using System.Text;
using ServerlessRec.Azure.Storage;
using ServerlessRec.Cli.Settings;
using ServerlessRec.Events;
using ServerlessRec.Storage;

namespace ServerlessRec.Cli.Commands.Bench;

/// <summary>
/// <c>bench eventlog</c>: more single-event appends into one hour of one instance's API event log than an append blob
/// takes (50,001 by default), on Blob Storage or Azurite (<c>--connection-string</c>) or the local store, with
/// <c>--concurrency</c> appends in flight. Then a second log with the same instance id (a restarted host) appends once, so
/// the store's own refusal of the full blob is met too. Every acknowledged event must be in the log: the blobs are
/// read back and their lines counted.
/// </summary>
internal sealed class EventLogBenchmark : IBenchSuite
{
    private readonly BenchOptions _shared;
    private readonly Option<string> _connectionString = new("--connection-string") { Description = "eventlog: Azurite or a storage account (default: the local store).", HelpName = "S" };
    private readonly Option<int> _appends = CliOptions.Number("--appends", "eventlog: single-event appends into one hour", BlobAppendLimits.MaxBlocksPerBlob + 1, 1, 10_000_000);
    private readonly Option<int> _perBlob = CliOptions.Number("--per-blob", $"eventlog: appends per blob before the log rolls over ({BlobAppendLimits.MaxBlocksPerBlob}: fill blobs to the store's cap)", ApiEventLog.DefaultMaxAppendsPerBlob, 1, BlobAppendLimits.MaxBlocksPerBlob);

    public EventLogBenchmark(BenchOptions shared)
    {
        _shared = shared;
        Options = [_connectionString, _appends, shared.Concurrency, _perBlob];
    }

    public string Name => "eventlog";

    public string Usage => "[--connection-string S (Azurite or a storage account; default: the local store)] [--appends 50001] [--concurrency 32] [--per-blob 10000 (50000: fill blobs to the store's cap)]";

    public bool RunsByDefault => false;

    public IReadOnlyList<Option> Options { get; }

    public Func<BenchContext, CancellationToken, Task<BenchSuiteResult>> Bind(ParseResult parse)
    {
        var connectionString = parse.GetValue(_connectionString);
        var appends = parse.GetValue(_appends);
        var concurrency = BenchOptions.Int(parse, _shared.Concurrency, 32, 1, 1024);
        var perBlob = parse.GetValue(_perBlob);
        return (context, cancellationToken) => RunAsync(context, connectionString, appends, concurrency, perBlob, cancellationToken);
    }

    private async Task<BenchSuiteResult> RunAsync(BenchContext context, string? connectionString, int appends, int concurrency, int perBlob, CancellationToken cancellationToken)
    {
        var environment = BenchEnvironment.Capture(context.Time);
        var store = connectionString is null
            ? new LocalFolderBlobStore(new StorageOptions { LocalRoot = Path.Combine(context.ScratchDirectory, "eventlog-store") })
            : BlobStoreFactory.Create(new StorageOptions { Provider = StorageProvider.AzureBlob, ConnectionString = connectionString });
        var backend = connectionString is null ? "local folder" : "Blob Storage (connection string)";
        var container = "bench" + Guid.NewGuid().ToString("N")[..16];
        var hour = new FixedTime(new DateTimeOffset(2026, 12, 3, 10, 30, 0, TimeSpan.Zero));
        var log = new ApiEventLog(store, hour, "bench-1", container, perBlob);

        context.Progress(Name, $"{appends:N0} appends of one event each into one hour, {concurrency} in flight, {perBlob:N0} per blob, on the {backend}");
        var acknowledged = new ConcurrentBag<int>();
        var watch = Stopwatch.StartNew();
        var lastReport = 0L;
        await Parallel.ForAsync(0, appends, new ParallelOptions { MaxDegreeOfParallelism = concurrency, CancellationToken = cancellationToken }, async (i, token) =>
        {
            await log.AppendAsync([new InteractionEvent($"u{i % 9973}", $"i{i}", "view", hour.GetUtcNow())], token).ConfigureAwait(false);
            acknowledged.Add(i);
            var seconds = (long)watch.Elapsed.TotalSeconds;
            if (seconds >= lastReport + 15 && Interlocked.Exchange(ref lastReport, seconds) < seconds)
            {
                context.Progress(Name, $"{acknowledged.Count:N0} appends after {seconds} s");
            }
        }).ConfigureAwait(false);
        var appendSeconds = watch.Elapsed.TotalSeconds;
        context.Progress(Name, $"{appends:N0} appends in {appendSeconds:F1} s = {appends / appendSeconds:N0} appends/s");

        // A restarted host counts nothing: with blobs filled to the cap the store itself must refuse the first one, and the log move on.
        var restarted = new ApiEventLog(store, hour, "bench-1", container, perBlob);
        var restartedBlob = await restarted.AppendAsync([new InteractionEvent("u-restart", "i-restart", "view", hour.GetUtcNow())], cancellationToken).ConfigureAwait(false);
        var refused = false;
        var full = log.BlobName(hour.GetUtcNow());
        if (perBlob == BlobAppendLimits.MaxBlocksPerBlob)
        {
            try
            {
                await store.AppendAsync(container, full, "{}\n"u8.ToArray(), cancellationToken).ConfigureAwait(false);
            }
            catch (AppendBlobFullException)
            {
                refused = true;
            }
        }

        watch.Restart();
        var blobs = new List<LogBlob>();
        var items = new HashSet<string>(StringComparer.Ordinal);
        var lines = 0L;
        var unread = new List<string>();
        await foreach (var entry in store.ListAsync(container, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            var blobLines = 0L;
            try
            {
                var stream = await store.OpenReadAsync(container, entry.Name, cancellationToken).ConfigureAwait(false)
                    ?? throw new InvalidDataException($"{entry.Name} disappeared during the benchmark");
                await using (stream.ConfigureAwait(false))
                {
                    using var reader = new StreamReader(stream, Encoding.UTF8);
                    while (await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
                    {
                        var start = line.IndexOf("\"itemId\":\"", StringComparison.Ordinal) + 10;
                        items.Add(line[start..line.IndexOf('"', start)]);
                        blobLines++;
                    }
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // Azurite cannot serve an append blob of 50,000 blocks in one GET (over 100 s): say so instead of stopping.
                unread.Add($"{entry.Name}: {ex.Message}");
                context.Progress(Name, $"{entry.Name}: could not be read back after {blobLines:N0} lines ({ex.Message})");
            }

            lines += blobLines;
            blobs.Add(new LogBlob(entry.Name, blobLines, entry.Size));
            context.Progress(Name, $"{entry.Name}: {blobLines:N0} lines, {entry.Size:N0} bytes");
        }

        var readSeconds = watch.Elapsed.TotalSeconds;
        foreach (var blob in blobs)
        {
            await store.DeleteAsync(container, blob.Name, cancellationToken: cancellationToken).ConfigureAwait(false);
        }

        var expected = appends + 1L;
        var allThere = lines == expected && items.Count == expected && acknowledged.Count == appends;
        BenchTarget[] targets =
        [
            new("every acknowledged event is in the log", allThere, $"{acknowledged.Count + 1:N0} acknowledged, {lines:N0} lines in {blobs.Count} blobs, {items.Count:N0} distinct events{(unread.Count == 0 ? string.Empty : "; not read back: " + string.Join("; ", unread))}"),
        ];
        if (perBlob == BlobAppendLimits.MaxBlocksPerBlob)
        {
            targets = [.. targets, new("the store refuses a full append blob and a restarted log moves on", refused && restartedBlob != full, $"refused: {refused}; the restarted log appended to {restartedBlob}")];
        }

        var report = new EventLogReport(environment, backend, appends, concurrency, perBlob, appendSeconds, appends / appendSeconds, readSeconds, blobs, refused, restartedBlob, targets);
        var f = BenchMarkdown.F;
        var markdown = new BenchMarkdown(Name, environment, $"{appends:N0} appends, {concurrency} in flight, {backend}")
            .Note($"Each append is one POST's log write: one append block holding one event. The log rolls over to api-<instance>-0001.jsonl, … after {perBlob:N0} appends to a blob (the store refuses the 50,001st block).")
            .Note($"Appending took {f(appendSeconds, 1)} s ({f(appends / appendSeconds, 0)} appends/s); reading the log back {f(readSeconds, 1)} s.")
            .Table(["blob", "lines", "bytes"], blobs.Select(b => (IReadOnlyList<string>)[b.Name, f(b.Lines, 0), f(b.Bytes, 0)]))
            .Targets(targets)
            .ToString();
        return new BenchSuiteResult(Name, report, markdown);
    }

    private sealed record LogBlob(string Name, long Lines, long Bytes);

    private sealed record EventLogReport(BenchEnvironment Environment, string Backend, int Appends, int Concurrency, int PerBlob, double AppendSeconds, double AppendsPerSecond, double ReadSeconds, IReadOnlyList<LogBlob> Blobs, bool FullBlobRefused, string RestartedLogBlob, IReadOnlyList<BenchTarget> Targets);

    /// <summary>A clock stopped inside one hour, so every append goes to the same hour folder.</summary>
    private sealed class FixedTime(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
