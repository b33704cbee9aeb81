namespace ServerlessRec.Cli.Commands.Bench;

/// <summary>One child process's measurement.</summary>
internal sealed record MemorySample(string Mode, int Items, double BaselineWorkingSetMB, double WorkingSetMB, double GcHeapMB, double PeakWorkingSetMB, double LoadSeconds, int ItemsReturned);
