using ServerlessRec.Serving;

namespace ServerlessRec.Cli.Commands;

/// <summary><c>serverlessrec forget</c>: forgets a user as <c>DELETE /api/users/{userId}</c> does.</summary>
internal sealed class ForgetCommand(TimeProvider timeProvider) : ICliCommand
{
    public string Name => "forget";

    public string Usage => "--user U [--root DIR]";

    public string Summary => "Forget a user: write the tombstone the next retraining honours and empty the stored history for good.";

    public async Task<int> RunAsync(CliArguments args, TextWriter output, CancellationToken cancellationToken)
    {
        var user = args.RequiredString("user");
        var cli = CliConfiguration.OpenStore(args);
        args.EnsureAllRead();

        output.WriteLine(cli.Banner);
        var (_, forgotten) = UserStores.Open(cli.Store, timeProvider);
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
