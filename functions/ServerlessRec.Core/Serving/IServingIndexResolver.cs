using ServerlessRec.Retrieval;

namespace ServerlessRec.Serving;

/// <summary>
/// Chooses the index a live model version is searched in (<c>Search:Provider</c>): the embedded index loaded with
/// the model package, or the version's Azure AI Search index. A resolver other than <see cref="EmbeddedIndexResolver"/>
/// makes the host load models in <see cref="ServingMode.RemoteIndex"/> mode (see <see cref="ServingModeOf"/>): the
/// catalog then stays out of the instance's memory.
/// </summary>
public interface IServingIndexResolver
{
    /// <summary>Returns the index of the model's version.</summary>
    ValueTask<IItemIndex> ResolveAsync(ServingModel model, CancellationToken cancellationToken = default);

    /// <summary>Returns how models are loaded for a resolver: whole for the embedded index, without the catalog for any remote one.</summary>
    static ServingMode ServingModeOf(IServingIndexResolver resolver) =>
        resolver is EmbeddedIndexResolver ? ServingMode.Embedded : ServingMode.RemoteIndex;
}
