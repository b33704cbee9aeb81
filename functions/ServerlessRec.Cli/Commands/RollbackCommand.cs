using ServerlessRec.Pipeline;
using ServerlessRec.Serving;

namespace ServerlessRec.Cli.Commands;

/// <summary>
/// <c>serverlessrec rollback [--to VERSION]</c>: makes a kept version live again, as <c>POST /api/models/{version}/activate</c>
/// does (hashes and index checked first; the pointer is unchanged when a check fails). Without <c>--to</c>: the version
/// that was live before the current one.
/// </summary>
internal sealed class RollbackCommand(TimeProvider timeProvider) : ICliCommand
{
    public string Name => "rollback";

    public string Usage => "[--to VERSION] [--reason TEXT] [--by NAME] [--root DIR]";

    public string Summary => "Make a kept model version live again (default: the one live before the current), after checking its files' hashes and its index.";

    public async Task<int> RunAsync(CliArguments args, TextWriter output, CancellationToken cancellationToken)
    {
        var to = args.String("to");
        var reason = args.String("reason");
        var by = args.String("by") ?? Environment.UserName;
        var cli = CliConfiguration.OpenStore(args);
        var search = SearchConfiguration.Read(args.Configuration);
        args.EnsureAllRead();

        output.WriteLine(cli.Banner);
        var administration = new ModelAdministration(cli.Store, SearchConfiguration.CreateIndexVerifier(cli.Store, search), timeProvider);
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
