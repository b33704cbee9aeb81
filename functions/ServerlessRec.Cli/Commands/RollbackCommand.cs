using System.CommandLine;
using ServerlessRec.Cli.Settings;
using ServerlessRec.Pipeline;

namespace ServerlessRec.Cli.Commands;

/// <summary>
/// <c>serverlessrec rollback [--to VERSION]</c>: makes a kept version live again, as <c>POST /api/models/{version}/activate</c>
/// does (hashes and index checked first; the pointer is unchanged when a check fails). Without <c>--to</c>: the version
/// that was live before the current one.
/// </summary>
internal sealed class RollbackCommand : CliCommand
{
    private readonly Option<string> _to = new("--to") { Description = "The kept version to make live (default: the one live before the current).", HelpName = "VERSION" };
    private readonly Option<string> _reason = new("--reason") { Description = "Why, recorded with the run and the pointer.", HelpName = "TEXT" };
    private readonly Option<string> _by = new("--by") { Description = "Who, recorded with the run and the pointer (default: the user name).", HelpName = "NAME" };
    private readonly StoreOption _store;

    public RollbackCommand(CliContext context)
        : base(context, "rollback", "Make a kept model version live again (default: the one live before the current), after checking its files' hashes and its index.")
    {
        _store = new StoreOption(context);
        Options.Add(_to);
        Options.Add(_reason);
        Options.Add(_by);
        Options.Add(_store.Option);
    }

    protected override async Task<int> RunAsync(ParseResult parse, TextWriter output, CancellationToken cancellationToken)
    {
        var to = parse.GetValue(_to);
        var reason = parse.GetValue(_reason);
        var by = parse.GetValue(_by) ?? Environment.UserName;
        var cli = _store.Open(parse);
        var search = SearchConfiguration.Read(Context.Configuration);

        output.WriteLine(cli.Banner);
        var administration = new ModelAdministration(cli.Store, SearchConfiguration.CreateIndexVerifier(cli.Store, search), Context.Time);
        ModelActivationResult result;
        try
        {
            result = await ServingErrors.RunAsync(() => administration.RollbackAsync(to, by, reason, cancellationToken)).ConfigureAwait(false);
        }
        catch (ModelActivationRefusedException ex)
        {
            throw new InvalidDataException(ex.Message, ex);
        }

        output.WriteLine(result.Changed
            ? $"live model: {result.Live.Version} (was {result.Live.PreviousVersion ?? "none"}); recorded as run {result.RunId}. Serving instances pick it up within seconds."
            : $"{result.Live.Version} is already live; nothing changed.");
        return 0;
    }
}
