using System.CommandLine;

namespace ServerlessRec.Cli.Commands.Bench;

/// <summary>
/// One suite of <c>serverlessrec bench</c>: declares the options it reads, binds them, then measures and reports.
/// Options several suites read are the one instance of <see cref="BenchOptions"/>; <c>bench</c> adds each option once.
/// </summary>
internal interface IBenchSuite
{
    /// <summary>Gets the name on the command line (<c>bench NAME</c>) and in the file names (<c>bench-NAME.json</c>).</summary>
    string Name { get; }

    /// <summary>Gets the suite's options for the usage line.</summary>
    string Usage { get; }

    /// <summary>Gets a value indicating whether <c>bench</c> without a suite name runs this suite.</summary>
    bool RunsByDefault { get; }

    /// <summary>Gets the options this suite reads (an option given that no selected suite reads is an error).</summary>
    IReadOnlyList<Option> Options { get; }

    /// <summary>Reads the suite's options (before anything runs, so a bad option fails at once) and returns the run.</summary>
    Func<BenchContext, CancellationToken, Task<BenchSuiteResult>> Bind(ParseResult parse);
}
