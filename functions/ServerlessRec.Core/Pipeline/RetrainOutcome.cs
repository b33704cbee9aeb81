namespace ServerlessRec.Pipeline;

/// <summary>Output of the orchestration.</summary>
public sealed record RetrainOutcome(string RunId, RunOutcome Outcome, string? Version, string? Reason);
