using System.Runtime.CompilerServices;
using ServerlessRec.Storage;

namespace ServerlessRec.Cli.Commands.Simulate;

/// <summary>
/// A dictionary-backed <see cref="IBlobStore"/> for the served A/B's user histories: a simulated day appends to thousands
/// of histories, and the local folder store's locked, renamed files (about 10 ms an append on the shared machine) made
/// those appends nine tenths of the A/B's time. The models and pointers stay in the local folder store, as with <c>serve</c>.
/// </summary>
internal sealed class MemoryBlobStore : IBlobStore
{
    private readonly Dictionary<(string Container, string Name), (byte[] Content, string ETag)> _blobs = [];
    private readonly Lock _gate = new();
    private long _version;

    public Task<StoredBlob?> ReadAsync(string container, string name, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            return Task.FromResult(_blobs.TryGetValue((container, name), out var blob) ? new StoredBlob(blob.Content, blob.ETag) : null);
        }
    }

    public async Task<Stream?> OpenReadAsync(string container, string name, CancellationToken cancellationToken = default) =>
        await ReadAsync(container, name, cancellationToken).ConfigureAwait(false) is { } blob ? new MemoryStream(blob.Content.ToArray(), writable: false) : null;

    public Task<string> WriteAsync(string container, string name, ReadOnlyMemory<byte> content, BlobWriteCondition condition = default, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            var exists = _blobs.TryGetValue((container, name), out var current);
            if ((condition.IfNotExists && exists) || (condition.IfMatch is { } etag && (!exists || current.ETag != etag)))
            {
                throw new BlobConditionFailedException($"{container}/{name}");
            }

            var written = (content.ToArray(), $"\"{++_version}\"");
            _blobs[(container, name)] = written;
            return Task.FromResult(written.Item2);
        }
    }

    public async Task<string> UploadAsync(string container, string name, Stream content, CancellationToken cancellationToken = default)
    {
        using var buffer = new MemoryStream();
        await content.CopyToAsync(buffer, cancellationToken).ConfigureAwait(false);
        return await WriteAsync(container, name, buffer.ToArray(), default, cancellationToken).ConfigureAwait(false);
    }

    public Task AppendAsync(string container, string name, ReadOnlyMemory<byte> content, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            var before = _blobs.TryGetValue((container, name), out var current) ? current.Content : [];
            _blobs[(container, name)] = ([.. before, .. content.Span], $"\"{++_version}\"");
            return Task.CompletedTask;
        }
    }

    public async IAsyncEnumerable<BlobEntry> ListAsync(string container, string prefix = "", [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        List<BlobEntry> entries;
        lock (_gate)
        {
            entries = [.. _blobs
                .Where(b => b.Key.Container == container && b.Key.Name.StartsWith(prefix, StringComparison.Ordinal))
                .OrderBy(b => b.Key.Name, StringComparer.Ordinal)
                .Select(b => new BlobEntry(b.Key.Name, b.Value.Content.Length, b.Value.ETag, DateTimeOffset.UnixEpoch))];
        }

        foreach (var entry in entries)
        {
            cancellationToken.ThrowIfCancellationRequested();
            await Task.Yield();
            yield return entry;
        }
    }

    public Task<BlobEntry?> GetPropertiesAsync(string container, string name, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            return Task.FromResult(_blobs.TryGetValue((container, name), out var blob) ? new BlobEntry(name, blob.Content.Length, blob.ETag, DateTimeOffset.UnixEpoch) : null);
        }
    }

    public Task<bool> DeleteAsync(string container, string name, string? ifMatch = null, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            if (!_blobs.TryGetValue((container, name), out var blob))
            {
                return Task.FromResult(false);
            }

            if (ifMatch is not null && blob.ETag != ifMatch)
            {
                throw new BlobConditionFailedException($"{container}/{name}");
            }

            return Task.FromResult(_blobs.Remove((container, name)));
        }
    }
}
