using System.Collections.Concurrent;
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

/// <summary>Opens each version's index once through a publisher (Azure AI Search) and keeps it.</summary>
public sealed class PublisherIndexResolver(IItemIndexPublisher publisher) : IServingIndexResolver
{
    private readonly ConcurrentDictionary<string, Lazy<Task<IItemIndex>>> _indexes = new(StringComparer.Ordinal);

    /// <inheritdoc/>
    public async ValueTask<IItemIndex> ResolveAsync(ServingModel model, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        var lazy = _indexes.GetOrAdd(model.Version, version => new Lazy<Task<IItemIndex>>(() => publisher.OpenAsync(version, CancellationToken.None)));
        try
        {
            return await lazy.Value.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception) when (lazy.Value.IsFaulted)
        {
            // A failed open is not cached: the next request tries again.
            _indexes.TryRemove(new KeyValuePair<string, Lazy<Task<IItemIndex>>>(model.Version, lazy));
            throw;
        }
    }
}
