using System.CommandLine;
using System.Globalization;
using ServerlessRec.Cli.Settings;
using ServerlessRec.Pipeline;

namespace ServerlessRec.Cli.Commands;

/// <summary>
/// <c>serverlessrec challenge VERSION --share 0.1</c> / <c>serverlessrec challenge --stop</c> /
/// <c>serverlessrec challenge --promote</c>: starts a challenger (a kept version served to a share of the users beside the
/// live one), stops it, or makes it the live version, as <c>POST /api/models/{version}/challenge</c>,
/// <c>DELETE /api/models/challenger</c> and <c>POST /api/models/challenger/promote</c> do.
/// </summary>
internal sealed class ChallengeCommand : CliCommand
{
    private readonly Argument<string> _version = new("VERSION") { Description = "The kept version to serve as the challenger.", Arity = ArgumentArity.ZeroOrOne };
    private readonly Option<double?> _share = new("--share") { Description = "The share of users that get the challenger: above 0, at most 0.5.", HelpName = "SHARE" };
    private readonly Option<bool> _stop = new("--stop") { Description = "Stop the challenger: every user gets the live version again." };
    private readonly Option<bool> _promote = new("--promote") { Description = "Promote the challenger: check its files and index, make it the live version (trigger promotion) and end the challenge." };
    private readonly Option<string> _reason = new("--reason") { Description = "Why, recorded in models/challenger.json (or, with --promote, in the live pointer and the run record).", HelpName = "TEXT" };
    private readonly Option<string> _by = new("--by") { Description = "Who, recorded likewise (default: the user name).", HelpName = "NAME" };
    private readonly StoreOption _store;

    public ChallengeCommand(CliContext context)
        : base(context, "challenge", "Serve a kept model version to a share of the users beside the live one (champion/challenger), stop it with --stop, or make it live with --promote.")
    {
        _store = new StoreOption(context);
        Arguments.Add(_version);
        Options.Add(_share);
        Options.Add(_stop);
        Options.Add(_promote);
        Options.Add(_reason);
        Options.Add(_by);
        Options.Add(_store.Option);
    }

    protected override async Task<int> RunAsync(ParseResult parse, TextWriter output, CancellationToken cancellationToken)
    {
        var version = parse.GetValue(_version);
        var share = parse.GetValue(_share);
        var stop = parse.GetValue(_stop);
        var promote = parse.GetValue(_promote);
        if ((stop && promote) || (stop || promote) == (version is not null) || ((stop || promote) && share is not null))
        {
            throw new CliUsageException("name a VERSION with --share, or give --stop or --promote alone");
        }

        if (!stop && !promote && share is null)
        {
            throw new CliUsageException("--share is required: the share of users (above 0, at most 0.5) that get the challenger");
        }

        var cli = _store.Open(parse);
        var search = SearchConfiguration.Read(Context.Configuration);
        output.WriteLine(cli.Banner);
        var administration = new ModelAdministration(cli.Store, SearchConfiguration.CreateIndexVerifier(cli.Store, search), Context.Time);
        if (stop)
        {
            var stopped = await ServingErrors.RunAsync(() => administration.StopChallengeAsync(cancellationToken)).ConfigureAwait(false);
            output.WriteLine(stopped.Changed
                ? $"challenger {stopped.Challenger!.Version} stopped; every user gets the live version again within seconds."
                : "no challenger runs; nothing changed.");
            return 0;
        }

        if (promote)
        {
            ModelPromotionResult promoted;
            try
            {
                promoted = await ServingErrors.RunAsync(() => administration.PromoteChallengerAsync(parse.GetValue(_by) ?? Environment.UserName, parse.GetValue(_reason), cancellationToken: cancellationToken)).ConfigureAwait(false);
            }
            catch (ModelActivationRefusedException ex)
            {
                throw new InvalidDataException(ex.Message, ex);
            }

            output.WriteLine(promoted.Changed
                ? $"challenger {promoted.Live.Version} promoted: it is live (was {promoted.Live.PreviousVersion ?? "none"}; record runs/{promoted.RunId}.json) and the challenge has ended. Serving instances pick it up within seconds."
                : $"challenger {promoted.Challenger.Version} was already the live version; the challenge has ended.");
            return 0;
        }

        ModelChallengeResult result;
        try
        {
            result = await ServingErrors.RunAsync(() => administration.ChallengeAsync(version!, share!.Value, parse.GetValue(_by) ?? Environment.UserName, parse.GetValue(_reason), cancellationToken)).ConfigureAwait(false);
        }
        catch (ModelActivationRefusedException ex)
        {
            throw new InvalidDataException(ex.Message, ex);
        }

        var challenger = result.Challenger!;
        output.WriteLine(result.Changed
            ? $"challenger: {challenger.Version} for {challenger.Share.ToString("P1", CultureInfo.InvariantCulture)} of the users (champion {challenger.ChampionVersion}). Serving instances pick it up within seconds."
            : $"{challenger.Version} already challenges with that share; nothing changed.");
        return 0;
    }
}
