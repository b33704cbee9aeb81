namespace ServerlessRec.Pipeline;

/// <summary>Output of BuildDataset.</summary>
public sealed record DatasetSummary(int Users, int Items, int Events, int EvaluatedUsers, long ExcludedEvents, int ForgottenUsers);
