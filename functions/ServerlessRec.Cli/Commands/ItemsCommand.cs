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
internal sealed class ItemsCommand(TimeProvider timeProvider) : ICliCommand
{
    public string Name => "items";

    public string Usage => "import FILE [--root DIR]";

    public string Summary => "Import a catalog file (items.jsonl or movies.csv) as catalog updates, as PUT /api/items does.";

    public async Task<int> RunAsync(CliArguments args, TextWriter output, CancellationToken cancellationToken)
    {
        if (args.Positional.Count != 2 || args.Positional[0] != "import")
        {
            throw new CliUsageException("usage: items import FILE");
        }

        var path = args.Positional[1];
        var cli = CliConfiguration.OpenStore(args);
        args.EnsureAllRead();
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

        var updates = new CatalogUpdateStore(cli.Store, timeProvider);
        var service = new CatalogService(new LiveCatalog(updates, cli.Store, timeProvider), new NoModel(), cli.Store);
        var written = await service.ImportAsync(sink.Items, cancellationToken).ConfigureAwait(false);
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

    /// <summary>The CLI serves nothing: no Azure AI Search merge, the instances compute their own vectors.</summary>
    private sealed class NoModel : ILiveModelSource
    {
        public ValueTask<ServingModel?> GetCurrentAsync(CancellationToken cancellationToken = default) => ValueTask.FromResult<ServingModel?>(null);
    }
}
