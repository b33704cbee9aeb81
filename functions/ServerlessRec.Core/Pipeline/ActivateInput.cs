namespace ServerlessRec.Pipeline;

/// <summary>Input of Activate.</summary>
public sealed record ActivateInput(string Version, int ExpectedItems);
