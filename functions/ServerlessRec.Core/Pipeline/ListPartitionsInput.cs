namespace ServerlessRec.Pipeline;

/// <summary>Input of ListPartitions: the run and its window.</summary>
/// <param name="RunId">The run.</param>
/// <param name="RunStart">The run's "now": the window ends on its day (plus the allowed skew).</param>
/// <param name="WindowDays">How many days back the window reaches; 0 lists every log blob.</param>
/// <param name="FutureSkewSeconds">How far past the run start events may be (their day folder is listed too).</param>
public sealed record ListPartitionsInput(string RunId, DateTimeOffset RunStart, int WindowDays, double FutureSkewSeconds);
