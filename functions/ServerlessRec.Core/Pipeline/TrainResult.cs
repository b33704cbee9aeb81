namespace ServerlessRec.Pipeline;

/// <summary>Output of Train.</summary>
public sealed record TrainResult(int BestEpoch, double ValidationNdcgAt10, IReadOnlyList<double> Losses, IReadOnlyList<double> ValidationCurve, double ExamplesPerSecond, string TunedCheckpoint, string FinalCheckpoint, bool Averaged = false);
