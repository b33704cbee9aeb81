namespace ServerlessRec.Pipeline;

/// <summary>Output of ExportOnnx.</summary>
public sealed record ExportResult(string Version, int ItemCount, int Dimensions);
