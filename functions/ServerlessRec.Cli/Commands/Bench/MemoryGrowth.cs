namespace ServerlessRec.Cli.Commands.Bench;

/// <summary>How much a mode grows from the smallest to the largest catalog.</summary>
internal sealed record MemoryGrowth(string Mode, int FromItems, int ToItems, double WorkingSetGrowthMB, double GcHeapGrowthMB);
