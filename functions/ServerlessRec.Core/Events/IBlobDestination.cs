using ServerlessRec.Storage;

namespace ServerlessRec.Events;

/// <summary>
/// Where writers of event, catalog and quarantine files put whole files: a container of an
/// <see cref="IBlobStore"/> (<see cref="BlobStoreDestination"/>), or any other place that can store
/// named blobs (the CLI writes to a folder with it).
/// </summary>
public interface IBlobDestination
{
    /// <summary>Creates or atomically replaces the blob <paramref name="name"/> ('/'-separated).</summary>
    Task WriteAsync(string name, ReadOnlyMemory<byte> content, CancellationToken cancellationToken = default);

    /// <summary>Appends to the blob <paramref name="name"/>, creating it when missing.</summary>
    Task AppendAsync(string name, ReadOnlyMemory<byte> content, CancellationToken cancellationToken = default);
}
