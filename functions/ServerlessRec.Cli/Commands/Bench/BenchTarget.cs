namespace ServerlessRec.Cli.Commands.Bench;

/// <summary>A target of the issue and whether this run met it, with the number that decides it.</summary>
internal sealed record BenchTarget(string Name, bool Met, string Measured)
{
    public string ToMarkdown() => $"- Target {Name}: **{(Met ? "met" : "missed")}** ({Measured}).";
}
