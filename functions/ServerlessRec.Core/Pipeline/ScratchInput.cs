namespace ServerlessRec.Pipeline;

/// <summary>Input of RemoveStaleScratch.</summary>
/// <param name="RunId">The current run, whose scratch is kept.</param>
public sealed record ScratchInput(string RunId);
