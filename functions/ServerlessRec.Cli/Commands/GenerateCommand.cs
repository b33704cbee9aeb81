using System.CommandLine;
using System.Globalization;
using System.IO.Compression;
using ServerlessRec.Cli.Settings;
using ServerlessRec.Events;
using ServerlessRec.Storage;

namespace ServerlessRec.Cli.Commands;

/// <summary><c>serverlessrec generate</c>: writes a synthetic interaction log and its catalog.</summary>
internal sealed class GenerateCommand : CliCommand
{
    private static readonly SyntheticLogOptions Defaults = new();

    private readonly Option<int> _users = CliOptions.Number("--users", "Users.", Defaults.Users, 1);
    private readonly Option<int> _items = CliOptions.Number("--items", "Items.", Defaults.Items, 1);
    private readonly Option<long> _events = CliOptions.Number("--events", "Events.", Defaults.Events, 0L);
    private readonly Option<long> _seed = new("--seed") { Description = "The random seed.", DefaultValueFactory = _ => Defaults.Seed };
    private readonly Option<double> _badLines = CliOptions.Number("--bad-lines", "Share of malformed lines of every kind mixed in.", 0.0, 0, 0.5);
    private readonly Option<int> _days = CliOptions.Number("--days", "Days the events span.", Defaults.Days, 1, 36_500);
    private readonly Option<int> _categories = CliOptions.Number("--categories", "Item categories.", Defaults.Categories, 1, 64);
    private readonly Option<int> _tastes = CliOptions.Number("--tastes", "Latent tastes.", Defaults.Tastes, 1, 64);
    private readonly Option<string> _start = new("--start") { Description = "The first event's time.", HelpName = "ISO-8601" };
    private readonly Option<string> _out = new("--out") { Description = "An events folder (hour partitions) or one FILE.jsonl[.gz].", HelpName = "FILE_OR_DIR", DefaultValueFactory = _ => DefaultOut };
    private readonly Option<bool> _gzip = new("--gzip") { Description = "Compress the written files." };
    private readonly Option<string> _catalog = new("--catalog") { Description = "Where the catalog goes (items.jsonl beside the events by default).", HelpName = "FILE" };
    private readonly Option<int> _linesPerFile = CliOptions.Number("--lines-per-file", "Lines per written file.", PartitionedEventLogWriter.DefaultLinesPerFile, 1);
    private readonly Option<bool> _force = new("--force") { Description = "Write into a folder that already holds events." };

    public GenerateCommand(CliContext context)
        : base(
            context,
            "generate",
            "Generate synthetic interaction logs (tastes, sessions, popular items) and a catalog. --out DIR (default "
            + $"{DefaultOut}) writes hour partitions yyyy/MM/dd/HH/synthetic-<n>.jsonl[.gz] and catalog/items.jsonl beside DIR; "
            + "--out FILE.jsonl[.gz] writes one file and items.jsonl beside it.")
    {
        foreach (var option in new Option[] { _users, _items, _events, _seed, _badLines, _days, _categories, _tastes, _start, _out, _gzip, _catalog, _linesPerFile, _force })
        {
            Options.Add(option);
        }
    }

    private static string DefaultOut => Path.Combine(StorageOptions.DefaultLocalRoot, ContainerNames.Events);

    protected override async Task<int> RunAsync(ParseResult parse, TextWriter output, CancellationToken cancellationToken)
    {
        var options = new SyntheticLogOptions
        {
            Users = parse.GetValue(_users),
            Items = parse.GetValue(_items),
            Events = parse.GetValue(_events),
            Seed = parse.GetValue(_seed),
            BadLineFraction = parse.GetValue(_badLines),
            Days = parse.GetValue(_days),
            Categories = parse.GetValue(_categories),
            Tastes = parse.GetValue(_tastes),
            Start = ParseStart(parse.GetValue(_start)) ?? Defaults.Start,
        };
        var outPath = parse.GetRequiredValue(_out);
        var gzipFlag = parse.GetValue(_gzip);
        var catalogPath = parse.GetValue(_catalog);
        var linesPerFile = parse.GetValue(_linesPerFile);
        var force = parse.GetValue(_force);

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
