using System.Globalization;
using System.IO.Compression;
using ServerlessRec.Events;
using ServerlessRec.Storage;

namespace ServerlessRec.Cli.Commands;

/// <summary><c>serverlessrec generate</c>: writes a synthetic interaction log and its catalog.</summary>
internal sealed class GenerateCommand : ICliCommand
{
    public string Name => "generate";

    public string Usage =>
        "[--users N] [--items M] [--events E] [--seed S] [--bad-lines P] [--out FILE_OR_DIR] [--gzip] [--catalog FILE] " +
        "[--days D] [--categories C] [--tastes T] [--start ISO-8601] [--lines-per-file N] [--force]";

    public string Summary =>
        "Generate synthetic interaction logs (tastes, sessions, popular items) and a catalog. --out DIR (default " +
        $"{DefaultOut}) writes hour partitions yyyy/MM/dd/HH/synthetic-<n>.jsonl[.gz] and catalog/items.jsonl beside DIR; " +
        "--out FILE.jsonl[.gz] writes one file and items.jsonl beside it.";

    private static string DefaultOut => Path.Combine(StorageOptions.DefaultLocalRoot, ContainerNames.Events);

    public async Task<int> RunAsync(CliArguments args, TextWriter output, CancellationToken cancellationToken)
    {
        var defaults = new SyntheticLogOptions();
        var options = new SyntheticLogOptions
        {
            Users = args.Int("users", defaults.Users, 1),
            Items = args.Int("items", defaults.Items, 1),
            Events = args.Long("events", defaults.Events, 0),
            Seed = args.Long("seed", defaults.Seed),
            BadLineFraction = args.Double("bad-lines", 0, 0, 0.5),
            Days = args.Int("days", defaults.Days, 1, 36_500),
            Categories = args.Int("categories", defaults.Categories, 1, 64),
            Tastes = args.Int("tastes", defaults.Tastes, 1, 64),
            Start = ParseStart(args.String("start")) ?? defaults.Start,
        };
        var outPath = args.String("out", DefaultOut);
        var gzipFlag = args.Flag("gzip");
        var catalogPath = args.String("catalog");
        var linesPerFile = args.Int("lines-per-file", PartitionedEventLogWriter.DefaultLinesPerFile, 1);
        var force = args.Flag("force");
        args.EnsureAllRead();

        var singleFile = outPath.EndsWith(".jsonl", StringComparison.OrdinalIgnoreCase) || outPath.EndsWith(".jsonl.gz", StringComparison.OrdinalIgnoreCase);
        if (singleFile && gzipFlag && !outPath.EndsWith(".gz", StringComparison.OrdinalIgnoreCase))
        {
            throw new CliUsageException($"--gzip with a single file: name it {outPath}.gz instead.");
        }

        var fullOut = Path.GetFullPath(outPath);
        catalogPath = Path.GetFullPath(catalogPath ?? (singleFile
            ? Path.Combine(Path.GetDirectoryName(fullOut)!, SyntheticLogGenerator.CatalogBlobName)
            : Path.Combine(Path.GetDirectoryName(Path.TrimEndingDirectorySeparator(fullOut))!, ContainerNames.Catalog, SyntheticLogGenerator.CatalogBlobName)));

        var generator = new SyntheticLogGenerator(options);
        var expectedLines = (long)(options.Events / (1 - options.BadLineFraction));
        var progress = new ConsoleProgress(output, "generated", expectedLines);
        SyntheticLogSummary summary;
        if (singleFile)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(fullOut)!);
            var file = new FileStream(fullOut, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true);
            await using (file.ConfigureAwait(false))
            {
                if (outPath.EndsWith(".gz", StringComparison.OrdinalIgnoreCase))
                {
                    var gzip = new GZipStream(file, CompressionLevel.Fastest, leaveOpen: true);
                    await using (gzip.ConfigureAwait(false))
                    {
                        summary = await generator.WriteEventsAsync(gzip, progress, cancellationToken).ConfigureAwait(false);
                    }
                }
                else
                {
                    summary = await generator.WriteEventsAsync(file, progress, cancellationToken).ConfigureAwait(false);
                }
            }
        }
        else
        {
            RemovePreviousOutput(fullOut, force);
            var destination = new DirectoryBlobDestination(fullOut);
            summary = await generator.WriteEventsAsync(destination, SyntheticLogGenerator.DefaultSource, linesPerFile, gzipFlag, progress, cancellationToken).ConfigureAwait(false);
        }

        progress.Done();
        Directory.CreateDirectory(Path.GetDirectoryName(catalogPath)!);
        var catalog = new FileStream(catalogPath, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true);
        await using (catalog.ConfigureAwait(false))
        {
            await generator.WriteCatalogAsync(catalog, cancellationToken).ConfigureAwait(false);
        }

        var lines = summary.Events + summary.BadLines;
        var seconds = Math.Max(progress.Elapsed.TotalSeconds, 1e-3);
        var where = singleFile ? outPath : $"{summary.Files.Count:N0} file{(summary.Files.Count == 1 ? string.Empty : "s")} under {outPath}";
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"wrote {summary.Events:N0} events + {summary.BadLines:N0} malformed lines to {where} in {seconds:F1} s ({lines / seconds:N0} lines/s)"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"events from {summary.FirstTimestamp:yyyy-MM-dd'T'HH:mm:ss'Z'} to {summary.LastTimestamp:yyyy-MM-dd'T'HH:mm:ss'Z'}; users {options.Users:N0}, items {options.Items:N0}, seed {options.Seed}"));
        if (summary.BadLines > 0)
        {
            output.WriteLine($"malformed lines by reason: {IngestSummary.FormatReasons(summary.BadLinesByReason)}");
        }

        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"catalog: {options.Items:N0} items to {Path.GetRelativePath(Environment.CurrentDirectory, catalogPath)}"));
        return 0;
    }

    private static DateTimeOffset? ParseStart(string? text)
    {
        if (text is null)
        {
            return null;
        }

        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var start)
            ? start
            : throw new CliUsageException($"--start must be an ISO-8601 time, got \"{text}\".");
    }

    /// <summary>Earlier synthetic files would mix with the new ones (other seeds, other hours): replace them only when asked.</summary>
    private static void RemovePreviousOutput(string directory, bool force)
    {
        if (!Directory.Exists(directory))
        {
            return;
        }

        var previous = Directory.EnumerateFiles(directory, $"{SyntheticLogGenerator.DefaultSource}-*.jsonl*", SearchOption.AllDirectories).ToList();
        if (previous.Count == 0)
        {
            return;
        }

        if (!force)
        {
            throw new CliUsageException($"{directory} already holds {previous.Count} synthetic file(s); add --force to replace them.");
        }

        foreach (var file in previous)
        {
            File.Delete(file);
        }
    }
}
