namespace ServerlessRec.Pipeline;

/// <summary>Input of the steps that read the compacted shards.</summary>
public sealed record ShardsInput(string RunId, IReadOnlyList<string> Shards);
