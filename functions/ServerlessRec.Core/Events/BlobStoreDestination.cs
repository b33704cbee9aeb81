using ServerlessRec.Storage;

namespace ServerlessRec.Events;

/// <summary>An <see cref="IBlobDestination"/> that is one container of an <see cref="IBlobStore"/>.</summary>
/// <param name="store">The store.</param>
/// <param name="container">The container, e.g. <see cref="ContainerNames.Events"/>.</param>
public sealed class BlobStoreDestination(IBlobStore store, string container) : IBlobDestination
{
    private readonly IBlobStore _store = store ?? throw new ArgumentNullException(nameof(store));

    /// <summary>Gets the container written to.</summary>
    public string Container { get; } = string.IsNullOrEmpty(container) ? throw new ArgumentException("The container name is empty.", nameof(container)) : container;

    /// <inheritdoc/>
    public Task WriteAsync(string name, ReadOnlyMemory<byte> content, CancellationToken cancellationToken = default) =>
        _store.WriteAsync(Container, name, content, BlobWriteCondition.None, cancellationToken);

    /// <inheritdoc/>
    public Task AppendAsync(string name, ReadOnlyMemory<byte> content, CancellationToken cancellationToken = default) =>
        _store.AppendAsync(Container, name, content, cancellationToken);
}
