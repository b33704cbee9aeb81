using System.CommandLine;
using Azure;
using ServerlessRec.Retrieval;
using ServerlessRec.Cli.Settings;
using ServerlessRec.Catalog;
using ServerlessRec.Events;
using ServerlessRec.Serving;
using ServerlessRec.Storage;

namespace ServerlessRec.Cli.Commands;

/// <summary>
/// <c>serverlessrec items import FILE</c>: stores a catalog file (<c>items.jsonl</c> or MovieLens <c>movies.csv</c>, gzip
/// or not) as catalog updates, exactly as <c>PUT /api/items</c> does in batches of 1,000: every serving instance picks
/// them up within its refresh and the next retraining includes them.
/// </summary>
internal sealed class ItemsCommand : CliCommand
{
    // Optional as far as the parser goes, so a short command line gets the usage line below rather than a bare "argument missing".
    private readonly Argument<string> _action = new Argument<string>("action") { Description = "What to do: import.", Arity = ArgumentArity.ZeroOrOne }.AcceptOnlyFromAmong("import");
    private readonly Argument<string> _file = new("FILE") { Description = "The catalog file: items.jsonl or MovieLens movies.csv, gzip or not.", Arity = ArgumentArity.ZeroOrOne };
    private readonly StoreOption _store;

    public ItemsCommand(CliContext context)
        : base(context, "items", "Import a catalog file (items.jsonl or movies.csv) as catalog updates, as PUT /api/items does.")
    {
        _store = new StoreOption(context);
        Arguments.Add(_action);
        Arguments.Add(_file);
        Options.Add(_store.Option);
    }

    protected override async Task<int> RunAsync(ParseResult parse, TextWriter output, CancellationToken cancellationToken)
    {
        if (parse.GetValue(_action) != "import" || parse.GetValue(_file) is not { } path)
        {
            throw new CliUsageException("usage: items import FILE");
        }

        var cli = _store.Open(parse);
        if (!File.Exists(path))
        {
            throw new CliUsageException($"{path} does not exist.");
        }

        output.WriteLine(cli.Banner);
        var sink = new Collect();
        await using (var stream = File.OpenRead(path))
        {
            await new CatalogReader().ReadAsync(stream, Path.GetFileName(path), CatalogReader.FormatFromFileName(path), sink, cancellationToken).ConfigureAwait(false);
        }

        // The same CatalogService path as PUT /api/items on serve and the Functions app: with Azure AI Search configured, the
        // items' item-tower vectors are merged into the live version's index too; embedded instances compute their own.
        var search = SearchConfiguration.Read(Context.Configuration);
        var remote = search.Provider == SearchProviderKind.AzureAISearch;
        using var models = new LiveModelProvider(cli.Store, Context.Time, mode: remote ? ServingMode.RemoteIndex : ServingMode.Embedded);
        using var live = new LiveCatalog(new CatalogUpdateStore(cli.Store, Context.Time), cli.Store, Context.Time);
        var service = new CatalogService(live, remote ? models : new NoModel(), cli.Store, remote ? SearchConfiguration.CreatePublisher(cli.Store, search) : null);
        int written;
        try
        {
            written = await service.ImportAsync(sink.Items, cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException ex)
        {
            throw new IOException($"merging the items into the live version's Azure AI Search index failed ({ex.Message}); the batches stored before the failure are in {ContainerNames.Catalog}/{CatalogUpdateStore.Prefix} and every instance applies their availability, but import the file again to index them", ex);
        }

        output.WriteLine($"imported {written:N0} items from {path} into {ContainerNames.Catalog}/{CatalogUpdateStore.Prefix} ({sink.Rejected:N0} lines rejected); serving instances pick them up within their refresh, the next retraining trains them");
        return sink.Rejected > 0 ? 1 : 0;
    }

    private sealed class Collect : ICatalogSink
    {
        public List<CatalogItem> Items { get; } = [];

        public int Rejected { get; private set; }

        public void OnItem(CatalogItem item) => Items.Add(item);

        public void OnRejected(RejectedLine line) => Rejected++;
    }

    /// <summary>With the embedded index no model is needed: every instance computes the vectors of new items itself.</summary>
    private sealed class NoModel : ILiveModelSource
    {
        public ValueTask<ServingModel?> GetCurrentAsync(CancellationToken cancellationToken = default) => ValueTask.FromResult<ServingModel?>(null);
    }
}
