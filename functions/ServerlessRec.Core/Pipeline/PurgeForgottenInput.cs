namespace ServerlessRec.Pipeline;

/// <summary>Input of PurgeForgotten: the run and its "now" (API log blobs of its hour and the hour before are left for the next run).</summary>
public sealed record PurgeForgottenInput(string RunId, DateTimeOffset RunStart);
