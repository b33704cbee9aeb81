using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using ServerlessRec.Storage;

namespace ServerlessRec.Cli.Commands.Simulate;

/// <summary>
/// Wraps the simulation's store: counts every operation by kind (what a storage bill and a latency budget see),
/// and, while <see cref="FaultRate"/> is above zero, fails that share of operations with an <see cref="IOException"/>
/// before they reach the store (a storage outage as callers experience it: the operation did not happen).
/// </summary>
internal sealed class InstrumentedBlobStore(IBlobStore inner, int seed) : IBlobStore
{
    private readonly ConcurrentDictionary<string, long> _operations = new(StringComparer.Ordinal);
    private readonly Random _random = new(seed);
    private readonly Lock _randomLock = new();
    private long _faults;

    /// <summary>Gets or sets the share (0–1) of operations that fail.</summary>
    public double FaultRate { get; set; }

    /// <summary>Gets how many faults were injected since the last <see cref="TakeCounts"/>.</summary>
    public long Faults => Interlocked.Read(ref _faults);

    /// <summary>Returns the operation counts by kind since the last call, and starts counting again.</summary>
    public SortedDictionary<string, long> TakeCounts()
    {
        var counts = new SortedDictionary<string, long>(StringComparer.Ordinal);
        foreach (var key in _operations.Keys)
        {
            if (_operations.TryRemove(key, out var value))
            {
                counts[key] = value;
            }
        }

        Interlocked.Exchange(ref _faults, 0);
        return counts;
    }

    public Task<StoredBlob?> ReadAsync(string container, string name, CancellationToken cancellationToken = default)
    {
        Count("read", container);
        return inner.ReadAsync(container, name, cancellationToken);
    }

    public Task<Stream?> OpenReadAsync(string container, string name, CancellationToken cancellationToken = default)
    {
        Count("openRead", container);
        return inner.OpenReadAsync(container, name, cancellationToken);
    }

    public Task<string> WriteAsync(string container, string name, ReadOnlyMemory<byte> content, BlobWriteCondition condition = default, CancellationToken cancellationToken = default)
    {
        Count("write", container);
        return inner.WriteAsync(container, name, content, condition, cancellationToken);
    }

    public Task<string> UploadAsync(string container, string name, Stream content, CancellationToken cancellationToken = default)
    {
        Count("upload", container);
        return inner.UploadAsync(container, name, content, cancellationToken);
    }

    public Task AppendAsync(string container, string name, ReadOnlyMemory<byte> content, CancellationToken cancellationToken = default)
    {
        Count("append", container);
        return inner.AppendAsync(container, name, content, cancellationToken);
    }

    public async IAsyncEnumerable<BlobEntry> ListAsync(string container, string prefix = "", [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        Count("list", container);
        await foreach (var entry in inner.ListAsync(container, prefix, cancellationToken).ConfigureAwait(false))
        {
            yield return entry;
        }
    }

    public Task<BlobEntry?> GetPropertiesAsync(string container, string name, CancellationToken cancellationToken = default)
    {
        Count("properties", container);
        return inner.GetPropertiesAsync(container, name, cancellationToken);
    }

    public Task<bool> DeleteAsync(string container, string name, string? ifMatch = null, CancellationToken cancellationToken = default)
    {
        Count("delete", container);
        return inner.DeleteAsync(container, name, ifMatch, cancellationToken);
    }

    private void Count(string kind, string container)
    {
        _operations.AddOrUpdate($"{kind}:{container}", 1, static (_, n) => n + 1);
        if (FaultRate <= 0)
        {
            return;
        }

        bool fail;
        lock (_randomLock)
        {
            fail = _random.NextDouble() < FaultRate;
        }

        if (fail)
        {
            Interlocked.Increment(ref _faults);
            throw new IOException($"simulated storage fault ({kind} on {container})");
        }
    }
}
