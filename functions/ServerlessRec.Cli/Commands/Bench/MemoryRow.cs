namespace ServerlessRec.Cli.Commands.Bench;

/// <summary>The median of a mode and catalog size.</summary>
internal sealed record MemoryRow(string Mode, int Items, double WorkingSetMB, double GcHeapMB, double BaselineWorkingSetMB, double PeakWorkingSetMB, double LoadSeconds, IReadOnlyList<MemorySample> Samples);
