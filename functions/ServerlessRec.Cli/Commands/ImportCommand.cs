using System.CommandLine;
using System.Globalization;
using ServerlessRec.Cli.Settings;
using ServerlessRec.Events;
using ServerlessRec.Serving;
using ServerlessRec.Storage;

namespace ServerlessRec.Cli.Commands;

/// <summary>
/// <c>serverlessrec import</c>: validates an event file (JSON Lines, CSV, TSV, MovieLens ratings; plain or
/// gzip) and copies its events into the events folder as contract JSON Lines; bad lines go to quarantine.
/// </summary>
internal sealed class ImportCommand : CliCommand
{
    private readonly Option<string> _file = new("--file") { Description = "The event file (JSON Lines, CSV, TSV or MovieLens ratings; plain or .gz).", Required = true, HelpName = "F" };
    private readonly Option<string> _catalog = new("--catalog") { Description = "Item metadata to import too: MovieLens movies.csv or items.jsonl.", HelpName = "movies.csv|items.jsonl" };
    private readonly Option<string> _out = new("--out") { Description = "Write into this events folder on disk instead of the configured store.", HelpName = "DIR" };
    private readonly Option<bool> _gzip = new("--gzip") { Description = "Compress the written files." };
    private readonly Option<int> _linesPerFile = CliOptions.Number("--lines-per-file", "Lines per written file.", PartitionedEventLogWriter.DefaultLinesPerFile, 1);
    private readonly EventFileOptions _fileOptions = new();
    private readonly EventTypesOption _eventTypes;
    private readonly StoreOption _store;

    public ImportCommand(CliContext context)
        : base(
            context,
            "import",
            "Validate an event file and copy it into the configured store's events container (default "
            + $"{Path.Combine(StorageOptions.DefaultLocalRoot, ContainerNames.Events)}; --out DIR for another events folder) as JSON Lines; "
            + "rejected lines (unknown types too: see --event-types) go to quarantine/<run>/ and the catalog (MovieLens movies.csv or items.jsonl) to catalog/items.jsonl.")
    {
        _eventTypes = new EventTypesOption(context);
        _store = new StoreOption(context);
        Options.Add(_file);
        foreach (var option in _fileOptions.Options)
        {
            Options.Add(option);
        }

        Options.Add(_catalog);
        Options.Add(_eventTypes.Option);
        Options.Add(_store.Option);
        Options.Add(_out);
        Options.Add(_gzip);
        Options.Add(_linesPerFile);
    }

    protected override async Task<int> RunAsync(ParseResult parse, TextWriter output, CancellationToken cancellationToken)
    {
        var path = parse.GetRequiredValue(_file);
        var format = _fileOptions.Resolve(parse, path);
        var catalogPath = parse.GetValue(_catalog);
        var outPath = parse.GetValue(_out);
        var gzip = parse.GetValue(_gzip);
        var linesPerFile = parse.GetValue(_linesPerFile);
        var eventTypes = _eventTypes.Read(parse);
        var target = ImportTarget.Open(Context.Configuration, parse.GetValue(_store.Option), outPath);
        var timeProvider = Context.Time;

        output.WriteLine($"store: {target.Description}");
        var now = timeProvider.GetUtcNow();
        var runId = string.Create(CultureInfo.InvariantCulture, $"import-{now:yyyyMMdd'T'HHmmss'Z'}");
        var fileName = Path.GetFileName(path);
        var quarantine = new QuarantineWriter(target.Destination(ContainerNames.Quarantine), runId);
        var reader = new EventFileReader(eventTypes);
        // Events of users forgotten in this store, dated at or before their forget time, are skipped: see EventImporter.
        var forgotten = await ForgottenUsers.ReadAllAsync(target.Store, cancellationToken: cancellationToken).ConfigureAwait(false);
        var importer = new EventImporter(reader, forgotten);
        var source = string.Create(CultureInfo.InvariantCulture, $"import-{SourceName(fileName)}-{now:yyyyMMddHHmmss}");
        using var events = new PartitionedEventLogWriter(target.Destination(ContainerNames.Events), source, linesPerFile, gzip, partitionTime: now);

        var clock = System.Diagnostics.Stopwatch.StartNew();
        EventFileSummary summary;
        var input = OpenRead(path);
        await using (input.ConfigureAwait(false))
        {
            try
            {
                summary = await importer.ImportAsync(input, fileName, format, events, quarantine, cancellationToken).ConfigureAwait(false);
            }
            catch (InvalidDataException ex) when (!_fileOptions.FormatGiven(parse) && format.Kind == EventFileKind.Delimited)
            {
                throw new InvalidDataException($"{ex.Message} For MovieLens ratings add --format movielens; for other columns see --user-column and friends.", ex);
            }
        }

        await events.CompleteAsync(cancellationToken).ConfigureAwait(false);
        var seconds = Math.Max(clock.Elapsed.TotalSeconds, 1e-3);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"read {fileName} ({format}): {summary.Lines:N0} lines, {summary.Accepted:N0} accepted, {summary.Rejected:N0} rejected in {seconds:F1} s ({summary.Lines / seconds:N0} lines/s)"));
        output.WriteLine($"rejected by reason: {IngestSummary.FormatReasons(summary.RejectedByReason)}");
        if (importer.ForgottenEventsSkipped > 0)
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"skipped {importer.ForgottenEventsSkipped:N0} accepted events of {importer.ForgottenUsersSkipped:N0} forgotten users (dated at or before their forget time)"));
        }

        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"wrote {events.Files.Count:N0} file{(events.Files.Count == 1 ? string.Empty : "s")} to {target.Where(ContainerNames.Events, string.Empty)}{(events.Files.Count > 0 ? $" ({events.Files[0]}{(events.Files.Count > 1 ? ", …" : string.Empty)})" : string.Empty)}"));

        if (catalogPath is not null)
        {
            await ImportCatalogAsync(catalogPath, target, quarantine, output, cancellationToken).ConfigureAwait(false);
        }

        await quarantine.FlushAsync(cancellationToken).ConfigureAwait(false);
        if (quarantine.BlobNames.Count > 0)
        {
            output.WriteLine($"quarantine: {string.Join(", ", quarantine.BlobNames.Select(n => target.Where(ContainerNames.Quarantine, n)))}");
        }

        return summary.Lines > 0 && summary.Accepted == 0 ? 1 : 0;
    }

    private static async Task ImportCatalogAsync(string path, ImportTarget target, QuarantineWriter quarantine, TextWriter output, CancellationToken cancellationToken)
    {
        CatalogFileFormat format;
        try
        {
            format = CatalogReader.FormatFromFileName(path);
        }
        catch (ArgumentException ex)
        {
            throw new CliUsageException(ex.Message);
        }

        var sink = new CatalogCollector(quarantine);
        EventFileSummary summary;
        var input = OpenRead(path);
        await using (input.ConfigureAwait(false))
        {
            summary = await new CatalogReader().ReadAsync(input, Path.GetFileName(path), format, sink, cancellationToken).ConfigureAwait(false);
        }

        await CatalogFileWriter.WriteAsync(target.Destination(ContainerNames.Catalog), SyntheticLogGenerator.CatalogBlobName, sink.Items, cancellationToken).ConfigureAwait(false);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"catalog: {summary.Accepted:N0} items, {summary.Rejected:N0} rejected ({IngestSummary.FormatReasons(summary.RejectedByReason)}) to {target.Where(ContainerNames.Catalog, SyntheticLogGenerator.CatalogBlobName)}"));
    }

    internal static FileStream OpenRead(string path) =>
        new(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.Asynchronous | FileOptions.SequentialScan);

    private static string SourceName(string fileName)
    {
        var stem = fileName;
        while (Path.GetExtension(stem) is { Length: > 0 })
        {
            stem = Path.GetFileNameWithoutExtension(stem);
        }

        var cleaned = new string([.. stem.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' ? c : '-')]);
        return cleaned.Length == 0 ? "file" : cleaned;
    }

    private static string Relative(string path) => Path.GetRelativePath(Environment.CurrentDirectory, path);

    /// <summary>
    /// Where an import writes: the configured store's containers, or (<c>--out DIR</c>) an events folder on disk with
    /// its quarantine/ and catalog/ folders beside it.
    /// </summary>
    private sealed class ImportTarget
    {
        private readonly CliStore? _store;
        private readonly string? _folderRoot;
        private LocalFolderBlobStore? _folderStore;

        private ImportTarget(CliStore? store, string? folderRoot)
        {
            _store = store;
            _folderRoot = folderRoot;
        }

        public string Description => _store?.Description ?? $"folder {_folderRoot}";

        /// <summary>Gets the store the events go to (its tombstones say whose old events are skipped).</summary>
        public IBlobStore Store => _store?.Store ?? (_folderStore ??= new LocalFolderBlobStore(new StorageOptions { LocalRoot = _folderRoot! }));

        public static ImportTarget Open(Microsoft.Extensions.Configuration.IConfiguration configuration, string? root, string? outPath)
        {
            if (outPath is null)
            {
                return new ImportTarget(CliConfiguration.OpenStore(configuration, root), null);
            }

            if (root is not null)
            {
                throw new CliUsageException("--out and --root both name where events go; give one of them.");
            }

            if (CliConfiguration.ReadStorageOptions(configuration).Provider != StorageProvider.Local)
            {
                throw new CliUsageException("--out names a local events folder, but the configuration selects Azure Blob Storage (Storage:Provider); drop --out to import into it.");
            }

            var eventsRoot = Path.GetFullPath(outPath);
            return new ImportTarget(null, Path.GetDirectoryName(Path.TrimEndingDirectorySeparator(eventsRoot))!) { EventsFolder = eventsRoot };
        }

        private string? EventsFolder { get; init; }

        public IBlobDestination Destination(string container) => _store is not null
            ? new BlobStoreDestination(_store.Store, container)
            : new DirectoryBlobDestination(container == ContainerNames.Events ? EventsFolder! : Path.Combine(_folderRoot!, container));

        public string Where(string container, string name)
        {
            if (_store is not null)
            {
                return _store.Where(container, name);
            }

            var folder = container == ContainerNames.Events ? EventsFolder! : Path.Combine(_folderRoot!, container);
            return Relative(name.Length == 0 ? folder : new DirectoryBlobDestination(folder).PathOf(name));
        }
    }

    private sealed class CatalogCollector(IRejectedLineSink rejected) : ICatalogSink
    {
        public List<CatalogItem> Items { get; } = [];

        public void OnItem(CatalogItem item) => Items.Add(item);

        public void OnRejected(RejectedLine line) => rejected.OnRejected(line);
    }
}
