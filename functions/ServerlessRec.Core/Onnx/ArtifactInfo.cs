namespace ServerlessRec.Onnx;

/// <summary>The SHA-256 and size of one model artefact, checked whenever the artefact is loaded.</summary>
/// <param name="Sha256">Lower-case hex SHA-256 of the artefact's bytes.</param>
/// <param name="Bytes">The artefact's size.</param>
public sealed record ArtifactInfo(string Sha256, long Bytes);
