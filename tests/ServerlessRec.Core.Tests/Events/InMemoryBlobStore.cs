using System.Runtime.CompilerServices;
using ServerlessRec.Storage;

namespace ServerlessRec.Core.Tests.Events;

/// <summary>A dictionary-backed <see cref="IBlobStore"/> for the events tests.</summary>
internal sealed class InMemoryBlobStore : IBlobStore
{
    private readonly Dictionary<(string Container, string Name), byte[]> _blobs = [];
    private int _version;

    public IReadOnlyList<string> Names(string container) =>
        [.. _blobs.Keys.Where(k => k.Container == container).Select(k => k.Name).Order(StringComparer.Ordinal)];

    public byte[] Content(string container, string name) => _blobs[(container, name)];

    public Task<StoredBlob?> ReadAsync(string container, string name, CancellationToken cancellationToken = default) =>
        Task.FromResult(_blobs.TryGetValue((container, name), out var content) ? new StoredBlob(content, ETag(content)) : null);

    public Task<Stream?> OpenReadAsync(string container, string name, CancellationToken cancellationToken = default) =>
        Task.FromResult<Stream?>(_blobs.TryGetValue((container, name), out var content) ? new MemoryStream(content, writable: false) : null);

    public Task<string> WriteAsync(string container, string name, ReadOnlyMemory<byte> content, BlobWriteCondition condition = default, CancellationToken cancellationToken = default)
    {
        var exists = _blobs.TryGetValue((container, name), out var current);
        if ((condition.IfNotExists && exists) || (condition.IfMatch is { } etag && (!exists || ETag(current!) != etag)))
        {
            throw new BlobConditionFailedException($"{container}/{name}");
        }

        _blobs[(container, name)] = content.ToArray();
        return Task.FromResult(ETag(_blobs[(container, name)]));
    }

    public async Task<string> UploadAsync(string container, string name, Stream content, CancellationToken cancellationToken = default)
    {
        using var buffer = new MemoryStream();
        await content.CopyToAsync(buffer, cancellationToken);
        return await WriteAsync(container, name, buffer.ToArray(), default, cancellationToken);
    }

    public Task AppendAsync(string container, string name, ReadOnlyMemory<byte> content, CancellationToken cancellationToken = default)
    {
        _blobs[(container, name)] = _blobs.TryGetValue((container, name), out var current) ? [.. current, .. content.Span] : content.ToArray();
        return Task.CompletedTask;
    }

    public async IAsyncEnumerable<BlobEntry> ListAsync(string container, string prefix = "", [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        foreach (var name in Names(container).Where(n => n.StartsWith(prefix, StringComparison.Ordinal)))
        {
            await Task.Yield();
            var content = _blobs[(container, name)];
            yield return new BlobEntry(name, content.Length, ETag(content), DateTimeOffset.UnixEpoch);
        }
    }

    public Task<BlobEntry?> GetPropertiesAsync(string container, string name, CancellationToken cancellationToken = default) =>
        Task.FromResult(_blobs.TryGetValue((container, name), out var content) ? new BlobEntry(name, content.Length, ETag(content), DateTimeOffset.UnixEpoch) : null);

    public Task<bool> DeleteAsync(string container, string name, string? ifMatch = null, CancellationToken cancellationToken = default) =>
        Task.FromResult(_blobs.Remove((container, name)));

    private string ETag(byte[] content) => $"\"{content.Length}-{Interlocked.Increment(ref _version)}\"";
}
