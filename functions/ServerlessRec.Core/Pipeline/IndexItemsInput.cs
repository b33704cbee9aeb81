namespace ServerlessRec.Pipeline;

/// <summary>Input of IndexItems: one range of a version's items.</summary>
public sealed record IndexItemsInput(string Version, int Start, int Count);
