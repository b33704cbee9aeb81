using ServerlessRec.Cli.Commands;

namespace ServerlessRec.Cli;

/// <summary>Dispatches <c>serverlessrec COMMAND [options]</c> and turns failures into one-line messages.</summary>
internal static class CliApplication
{
    public static IReadOnlyList<ICliCommand> Commands { get; } =
    [
        new DemoCommand(TimeProvider.System),
        new GenerateCommand(),
        new ImportCommand(TimeProvider.System),
        new EvaluateCommand(),
        new RetrainCommand(TimeProvider.System),
        new RecommendCommand(TimeProvider.System),
        new SimilarCommand(TimeProvider.System),
        new ExportCommand(TimeProvider.System),
        new ForgetCommand(TimeProvider.System),
        new ItemsCommand(TimeProvider.System),
        new ServeCommand(TimeProvider.System),
        new BenchCommand(TimeProvider.System),
        new Commands.Simulate.SimulateCommand(),
    ];

    /// <summary>Runs one command line.</summary>
    /// <param name="args">The command and its options.</param>
    /// <param name="output">Where results go.</param>
    /// <param name="error">Where errors go.</param>
    /// <param name="configuration">The settings (<see cref="CliConfiguration.Build"/>: appsettings.json and the environment, when null).</param>
    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, Microsoft.Extensions.Configuration.IConfiguration? configuration = null)
    {
        if (args.Length == 0 || args[0] is "-h" or "--help" or "help")
        {
            PrintHelp(output);
            return args.Length == 0 ? 2 : 0;
        }

        var command = Commands.FirstOrDefault(c => c.Name == args[0]);
        if (command is null)
        {
            error.WriteLine($"serverlessrec: unknown command \"{args[0]}\". Run 'serverlessrec --help' for the list.");
            return 2;
        }

        if (args.Skip(1).Any(a => a is "-h" or "--help"))
        {
            output.WriteLine($"usage: serverlessrec {command.Name} {command.Usage}");
            output.WriteLine(command.Summary);
            return 0;
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
            var parsed = CliArguments.Parse(args[1..], configuration ?? CliConfiguration.Build());
            return await command.RunAsync(parsed, output, cancellation.Token).ConfigureAwait(false);
        }
        catch (CliUsageException ex)
        {
            error.WriteLine($"serverlessrec {command.Name}: {ex.Message}");
            error.WriteLine($"usage: serverlessrec {command.Name} {command.Usage}");
            return 2;
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
        {
            error.WriteLine($"serverlessrec {command.Name}: cancelled.");
            return 130;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidDataException or FormatException)
        {
            error.WriteLine($"serverlessrec {command.Name}: {ex.Message}");
            return 1;
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
        }
    }

    private static void PrintHelp(TextWriter output)
    {
        output.WriteLine("serverlessrec — personalised rankings from interaction logs, embedded or on Azure.");
        output.WriteLine();
        output.WriteLine("usage: serverlessrec COMMAND [options]   (serverlessrec COMMAND --help for its options)");
        output.WriteLine();
        foreach (var command in Commands)
        {
            output.WriteLine($"  {command.Name,-10} {command.Summary}");
        }
    }
}
