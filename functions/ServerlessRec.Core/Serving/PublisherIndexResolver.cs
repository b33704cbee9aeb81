using System.Collections.Concurrent;
using ServerlessRec.Retrieval;

namespace ServerlessRec.Serving;

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
