using System.CommandLine;
using ServerlessRec.Cli.Settings;
using ServerlessRec.Serving;

namespace ServerlessRec.Cli.Commands;

/// <summary><c>serverlessrec forget</c>: forgets a user as <c>DELETE /api/users/{userId}</c> does.</summary>
internal sealed class ForgetCommand : CliCommand
{
    private readonly Option<string> _user = new("--user") { Description = "The user id.", Required = true, HelpName = "U" };
    private readonly StoreOption _store;

    public ForgetCommand(CliContext context)
        : base(context, "forget", "Forget a user: write the tombstone the next retraining honours and empty the stored history for good.")
    {
        _store = new StoreOption(context);
        Options.Add(_user);
        Options.Add(_store.Option);
    }

    protected override async Task<int> RunAsync(ParseResult parse, TextWriter output, CancellationToken cancellationToken)
    {
        var user = parse.GetRequiredValue(_user);
        var cli = _store.Open(parse);

        output.WriteLine(cli.Banner);
        var (_, forgotten) = UserStores.Open(cli.Store, Context.Time);
        var deleted = await ServingErrors.RunAsync(() =>
        {
            RequestRules.Id(user, "user");
            return forgotten.ForgetAsync(user, cancellationToken);
        }).ConfigureAwait(false);
        var tombstones = await forgotten.ExistingTombstonePathsAsync(user, cancellationToken).ConfigureAwait(false);
        output.WriteLine($"forgot user \"{user}\": {(deleted ? "stored history emptied" : "no stored history")}; tombstone {tombstones[0]}; the next retraining drops the user's events up to now");
        return 0;
    }
}
