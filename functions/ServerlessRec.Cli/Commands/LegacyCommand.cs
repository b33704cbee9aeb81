using System.CommandLine;

namespace ServerlessRec.Cli.Commands;

/// <summary>
/// Runs a command written in the old style (<see cref="ICliCommand"/> reading <see cref="CliArguments"/>) under
/// System.CommandLine until it is ported to <see cref="CliCommand"/>: its tokens are handed to
/// <see cref="CliArguments.Parse"/> as they were, so it parses, checks its options and fails as before;
/// <c>--help</c> prints its usage line.
/// </summary>
internal sealed class LegacyCommand : Command
{
    public LegacyCommand(ICliCommand command, CliContext context)
        : base(command.Name, $"{command.Summary}{Environment.NewLine}usage: serverlessrec {command.Name} {command.Usage}")
    {
        ArgumentNullException.ThrowIfNull(context);
        // Every token after the command name is the old command's to read (CliArguments rejects the ones it does not).
        TreatUnmatchedTokensAsErrors = false;
        SetAction((parse, cancellationToken) => command.RunAsync(
            CliArguments.Parse([.. parse.UnmatchedTokens], context.Configuration),
            parse.InvocationConfiguration.Output,
            cancellationToken));
    }
}
