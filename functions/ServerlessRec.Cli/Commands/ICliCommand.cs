namespace ServerlessRec.Cli.Commands;

/// <summary>One <c>serverlessrec</c> sub-command.</summary>
internal interface ICliCommand
{
    string Name { get; }

    string Usage { get; }

    string Summary { get; }

    Task<int> RunAsync(CliArguments args, TextWriter output, CancellationToken cancellationToken);
}
