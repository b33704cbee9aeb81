using System.CommandLine;
using ServerlessRec.Cli.Settings;
using ServerlessRec.Serving;

namespace ServerlessRec.Cli.Commands;

/// <summary><c>serverlessrec similar</c>: the items whose vectors are closest to an item's.</summary>
internal sealed class SimilarCommand : CliCommand
{
    private readonly Option<string> _item = new("--item") { Description = "The item id.", Required = true, HelpName = "I" };
    private readonly Option<int> _k = CliOptions.Number("--k", "How many items.", 10, 1, RequestRules.MaxK);
    private readonly Option<bool> _json = new("--json") { Description = "Print the API's JSON answer." };
    private readonly StoreOption _store;

    public SimilarCommand(CliContext context)
        : base(context, "similar", "List the items most similar to an item (by item-tower vector) in the live model.")
    {
        _store = new StoreOption(context);
        Options.Add(_item);
        Options.Add(_k);
        Options.Add(_json);
        Options.Add(_store.Option);
    }

    protected override async Task<int> RunAsync(ParseResult parse, TextWriter output, CancellationToken cancellationToken)
    {
        var item = parse.GetRequiredValue(_item);
        var k = parse.GetValue(_k);
        var json = parse.GetValue(_json);
        var cli = _store.Open(parse);
        var store = cli.Store;
        var timeProvider = Context.Time;

        if (!json)
        {
            output.WriteLine(cli.Banner);
        }

        using var models = new LiveModelProvider(store, timeProvider);
        var service = new RecommenderService(models, new UserHistoryStore(store), timeProvider);
        var response = await ServingErrors.RunAsync(() => service.SimilarAsync(item, k, cancellationToken: cancellationToken)).ConfigureAwait(false);
        RecommendCommand.Print(output, response, json);
        return 0;
    }
}
