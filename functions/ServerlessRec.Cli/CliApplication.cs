using System.CommandLine;
using System.CommandLine.Help;
using Microsoft.Extensions.Configuration;
using ServerlessRec.Cli.Commands;

namespace ServerlessRec.Cli;

/// <summary>
/// <c>serverlessrec COMMAND [options]</c> on System.CommandLine: parses, prints <c>--help</c>, runs the command and
/// turns failures into one-line messages. Exit codes: 2 for a command line that cannot run, 1 for a runtime failure,
/// 130 when cancelled; the command's own code otherwise.
/// </summary>
internal static class CliApplication
{
    /// <summary>Builds the command tree of one run: option defaults come from <paramref name="context"/>'s configuration.</summary>
    public static RootCommand CreateRoot(CliContext context)
    {
        var root = new RootCommand("serverlessrec — personalised rankings from interaction logs, embedded or on Azure.")
        {
            new DemoCommand(context),
            new GenerateCommand(context),
            new ImportCommand(context),
            new EvaluateCommand(context),
            new RetrainCommand(context),
            new RecommendCommand(context),
            new SimilarCommand(context),
            new ExportCommand(context),
            new ForgetCommand(context),
            new ServeCommand(context),
            new StatusCommand(context),
            new RollbackCommand(context),
            new ChallengeCommand(context),
            new ItemsCommand(context),
            new Commands.Simulate.SimulateCommand(context),
            new Commands.Simulate.SimulateOnlineCommand(context),
            new BenchCommand(context),
        };
        return root;
    }

    /// <summary>Runs one command line.</summary>
    /// <param name="args">The command and its options.</param>
    /// <param name="output">Where results go.</param>
    /// <param name="error">Where errors go.</param>
    /// <param name="configuration">The settings (<see cref="CliConfiguration.Build"/>: appsettings.json and the environment, when null).</param>
    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, IConfiguration? configuration = null)
    {
        ArgumentNullException.ThrowIfNull(args);
        IConfiguration settings;
        try
        {
            settings = configuration ?? CliConfiguration.Build();
        }
        catch (CliUsageException ex)
        {
            error.WriteLine($"serverlessrec: {ex.Message}");
            return 2;
        }

        var root = CreateRoot(new CliContext(settings, TimeProvider.System));
        var invocation = new InvocationConfiguration
        {
            Output = output,
            Error = error,
            // Failures are turned into one-line messages below, and Ctrl+C is handled here (exit code 130).
            EnableDefaultExceptionHandler = false,
            ProcessTerminationTimeout = null,
        };
        var parserConfiguration = new ParserConfiguration { ResponseFileTokenReplacer = null };
        if (args.Length == 0 || args[0] == "help")
        {
            await root.Parse(["--help"], parserConfiguration).InvokeAsync(invocation).ConfigureAwait(false);
            return args.Length == 0 ? 2 : 0;
        }

        if (!args[0].StartsWith('-') && !root.Subcommands.Any(c => c.Name == args[0]))
        {
            error.WriteLine($"serverlessrec: unknown command \"{args[0]}\". Run 'serverlessrec --help' for the list.");
            return 2;
        }

        var parse = root.Parse(args, parserConfiguration);
        var command = parse.CommandResult.Command;
        var prefix = command is RootCommand ? "serverlessrec" : $"serverlessrec {command.Name}";
        if (parse.Action is not HelpAction && parse.Errors.Count > 0)
        {
            var unknown = command.TreatUnmatchedTokensAsErrors ? parse.UnmatchedTokens : [];
            var options = unknown.Where(t => t.StartsWith('-')).ToList();
            var message = options.Count > 0
                ? $"unknown option{(options.Count > 1 ? "s" : string.Empty)}: {string.Join(", ", options)}"
                : unknown.Count > 0 ? $"unexpected argument \"{unknown[0]}\"." : parse.Errors[0].Message;
            return Usage(error, prefix, message);
        }

        using var cancellation = new CancellationTokenSource();
        ConsoleCancelEventHandler onCancel = (_, e) =>
        {
            e.Cancel = true;
            cancellation.Cancel();
        };
        Console.CancelKeyPress += onCancel;
        try
        {
            return await parse.InvokeAsync(invocation, cancellation.Token).ConfigureAwait(false);
        }
        catch (CliUsageException ex)
        {
            return Usage(error, prefix, ex.Message);
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
        {
            error.WriteLine($"{prefix}: cancelled.");
            return 130;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidDataException or FormatException)
        {
            error.WriteLine($"{prefix}: {ex.Message}");
            return 1;
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
        }
    }

    private static int Usage(TextWriter error, string prefix, string message)
    {
        error.WriteLine($"{prefix}: {message}");
        error.WriteLine($"Run '{prefix} --help' for its options.");
        return 2;
    }
}
