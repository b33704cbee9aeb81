using System.CommandLine;

namespace ServerlessRec.Cli.Commands;

/// <summary>
/// A <c>serverlessrec</c> sub-command on System.CommandLine: declare its options as fields, add them in the
/// constructor, read them in <see cref="RunAsync(ParseResult, TextWriter, CancellationToken)"/> with <c>parse.GetValue(option)</c>. Parsing, <c>--help</c>,
/// unknown options and exit codes are <see cref="CliApplication"/>'s; throw <see cref="CliUsageException"/> for a
/// command line that cannot run (exit code 2).
/// </summary>
internal abstract class CliCommand : Command
{
    protected CliCommand(CliContext context, string name, string description)
        : base(name, description)
    {
        ArgumentNullException.ThrowIfNull(context);
        Context = context;
        SetAction((parse, cancellationToken) => RunAsync(parse, parse.InvocationConfiguration.Output, cancellationToken));
    }

    /// <summary>Gets the run: configuration and clock.</summary>
    protected CliContext Context { get; }

    /// <summary>Parses and runs this command on its own (a bench composes import and retrain this way).</summary>
    /// <param name="args">The options, without the command name.</param>
    /// <param name="output">Where results go.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The exit code.</returns>
    public Task<int> RunAsync(IReadOnlyList<string> args, TextWriter output, CancellationToken cancellationToken = default)
    {
        var parse = Parse(args);
        return parse.Errors.Count > 0 ? throw new CliUsageException(parse.Errors[0].Message) : RunAsync(parse, output, cancellationToken);
    }

    /// <summary>Runs the command.</summary>
    /// <param name="parse">The parsed command line.</param>
    /// <param name="output">Where results go.</param>
    /// <param name="cancellationToken">Cancelled by Ctrl+C.</param>
    /// <returns>The exit code.</returns>
    protected abstract Task<int> RunAsync(ParseResult parse, TextWriter output, CancellationToken cancellationToken);
}
