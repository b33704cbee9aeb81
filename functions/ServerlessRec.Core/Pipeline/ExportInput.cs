namespace ServerlessRec.Pipeline;

/// <summary>Input of ExportOnnx.</summary>
/// <param name="RunId">The run.</param>
/// <param name="Shards">The compacted shards.</param>
/// <param name="FinalCheckpoint">The model to export.</param>
/// <param name="Version">The version to write.</param>
/// <param name="Evaluation">The gate's numbers, for the manifest.</param>
/// <param name="RunStart">The run's "now": the data cutoff written into the manifest is never later.</param>
public sealed record ExportInput(string RunId, IReadOnlyList<string> Shards, string FinalCheckpoint, string Version, EvaluateResult Evaluation, DateTimeOffset? RunStart = null);
