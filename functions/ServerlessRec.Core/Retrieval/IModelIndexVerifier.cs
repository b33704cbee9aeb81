using ServerlessRec.Onnx;

namespace ServerlessRec.Retrieval;

/// <summary>
/// Checks that a kept model version's index is there and complete before the version is made live again (rollback):
/// the embedded index's files (<see cref="EmbeddedModelIndexVerifier"/>) or the version's Azure AI Search index with
/// every item (in <c>ServerlessRec.Azure</c>).
/// </summary>
public interface IModelIndexVerifier
{
    /// <summary>Returns what is wrong with the index of <paramref name="manifest"/>'s version, or <see langword="null"/> when it is complete.</summary>
    /// <param name="manifest">The version's manifest (already read; its artefact hashes are checked by the caller).</param>
    /// <param name="cancellationToken">Cancels the check.</param>
    Task<string?> FindProblemAsync(ModelManifest manifest, CancellationToken cancellationToken = default);
}
