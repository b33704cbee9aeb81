namespace ServerlessRec.Cli.Commands.Bench;

/// <summary>What every suite gets: the clock, where progress lines go, and a scratch folder removed afterwards.</summary>
internal sealed record BenchContext(TimeProvider Time, TextWriter Output, string ScratchDirectory)
{
    /// <summary>Prints one progress line, prefixed with the suite name.</summary>
    public void Progress(string suite, string message) => Output.WriteLine($"[{suite}] {message}");
}
