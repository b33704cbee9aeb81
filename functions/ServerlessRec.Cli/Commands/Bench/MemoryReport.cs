namespace ServerlessRec.Cli.Commands.Bench;

/// <summary>The suite's report.</summary>
internal sealed record MemoryReport(BenchEnvironment Environment, int Dimensions, int Loads, int Calls, IReadOnlyList<MemoryRow> Rows, IReadOnlyList<MemoryGrowth> Growth, IReadOnlyList<BenchTarget> Targets);
