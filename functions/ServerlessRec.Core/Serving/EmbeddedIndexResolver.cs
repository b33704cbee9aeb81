using ServerlessRec.Retrieval;

namespace ServerlessRec.Serving;

/// <summary>The embedded default: the in-process index loaded with the model package (int8-compressed for large catalogs).</summary>
public sealed class EmbeddedIndexResolver : IServingIndexResolver
{
    /// <summary>Gets the shared instance.</summary>
    public static EmbeddedIndexResolver Instance { get; } = new();

    /// <inheritdoc/>
    public ValueTask<IItemIndex> ResolveAsync(ServingModel model, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        return ValueTask.FromResult(model.SearchIndex
            ?? throw new InvalidOperationException($"model {model.Version} was loaded without its vectors (AI Search mode); the embedded index cannot serve it"));
    }
}
