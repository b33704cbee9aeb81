using System.Diagnostics;
using System.Globalization;
using ServerlessRec.Events;
using ServerlessRec.Storage;

namespace ServerlessRec.Cli.Commands.Bench;

/// <summary>
/// Generated event logs kept between benchmark runs: a local store per size under a cache folder, generated once
/// (a marker file says it is complete) and shared by the ingest and train suites.
/// </summary>
internal static class SyntheticLogCache
{
    public const int MaxItems = 100_000;
    private const string CompleteMarker = "complete.txt";

    public static string DefaultRoot => Path.Combine(Path.GetTempPath(), "serverlessrec-bench-cache");

    /// <summary>The world of an <paramref name="events"/>-event log: 50 events per user, 100k items (fewer for small logs), 0.1% bad lines.</summary>
    public static SyntheticLogOptions OptionsFor(long events) => new()
    {
        Events = events,
        Users = (int)Math.Clamp(events / 50, 100, 10_000_000),
        Items = (int)Math.Clamp(events / 10, 100, MaxItems),
        Seed = 42,
        BadLineFraction = 0.001,
    };

    /// <summary>Returns the store holding the log, generating it first when the cache has no complete copy.</summary>
    public static async Task<LocalFolderBlobStore> EnsureAsync(string cacheRoot, SyntheticLogOptions options, BenchContext context, string suite, CancellationToken cancellationToken)
    {
        var root = Path.Combine(cacheRoot, string.Create(CultureInfo.InvariantCulture, $"synthetic-e{options.Events}-u{options.Users}-i{options.Items}-s{options.Seed}-b{options.BadLineFraction}"));
        var marker = Path.Combine(root, CompleteMarker);
        if (File.Exists(marker))
        {
            context.Progress(suite, $"reusing the {options.Events:N0}-event log in {root}");
            return new LocalFolderBlobStore(new StorageOptions { LocalRoot = root });
        }

        // A log without its marker was cut short: start again.
        if (Directory.Exists(root))
        {
            Directory.Delete(root, recursive: true);
        }

        var store = new LocalFolderBlobStore(new StorageOptions { LocalRoot = root });

        context.Progress(suite, $"generating {options.Events:N0} events ({options.Users:N0} users, {options.Items:N0} items) into {root} (kept for the next run)");
        var watch = Stopwatch.StartNew();
        var progress = new ProgressLines(context, suite, "generated", Math.Max(1_000_000, options.Events / 10));
        var summary = await new SyntheticLogGenerator(options).WriteToStoreAsync(store, progress: progress, cancellationToken: cancellationToken).ConfigureAwait(false);
        await File.WriteAllTextAsync(marker, string.Create(CultureInfo.InvariantCulture, $"{summary.Events} events, {summary.BadLines} bad lines, {summary.Files.Count} files\n"), cancellationToken).ConfigureAwait(false);
        context.Progress(suite, $"generated {summary.Events:N0} events + {summary.BadLines:N0} bad lines in {summary.Files.Count} files in {watch.Elapsed.TotalSeconds:F0} s");
        return store;
    }

    /// <summary>Prints a progress line each time the count passes another multiple of <paramref name="every"/>.</summary>
    private sealed class ProgressLines(BenchContext context, string suite, string verb, long every) : IProgress<long>
    {
        private long _printed;

        public void Report(long value)
        {
            if (value / every > _printed / every)
            {
                context.Progress(suite, $"  {verb} {value:N0} lines");
                _printed = value;
            }
        }
    }
}
