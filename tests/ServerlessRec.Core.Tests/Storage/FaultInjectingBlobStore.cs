using System.Runtime.CompilerServices;
using ServerlessRec.Storage;

namespace ServerlessRec.Core.Tests.Storage;

/// <summary>The operations of <see cref="IBlobStore"/>, as seen by <see cref="FaultInjectingBlobStore"/>.</summary>
public enum BlobOperation
{
    Read,
    OpenRead,
    Write,
    Upload,
    Append,
    List,
    GetProperties,
    Delete,
}

/// <summary>One call to the store: what it did and to which blob (the prefix for a listing).</summary>
public sealed record BlobCall(BlobOperation Operation, string Container, string Name);

/// <summary>A storage outage simulated by <see cref="FaultInjectingBlobStore"/> (an I/O failure, as a real network error would be).</summary>
public sealed class SimulatedStorageFaultException : IOException
{
    public SimulatedStorageFaultException() { }

    public SimulatedStorageFaultException(string message) : base(message) { }

    public SimulatedStorageFaultException(string message, Exception innerException) : base(message, innerException) { }
}

/// <summary>
/// Wraps a store and makes the calls that match a rule fail before they reach it (the inner store never sees them),
/// the first <see cref="FaultRule.Failures"/> times; every call can also be delayed. Rules count the calls they match,
/// so a test can tell how often a step wrote a blob.
/// </summary>
public sealed class FaultInjectingBlobStore(IBlobStore inner) : IBlobStore
{
    private readonly List<FaultRule> _rules = [];

    /// <summary>Gets or sets the delay added to every call.</summary>
    public TimeSpan Latency { get; set; }

    /// <summary>Gets or sets what is told about every write that reaches the inner store (its call and content).</summary>
    public Action<BlobCall, ReadOnlyMemory<byte>>? OnWrite { get; set; }

    /// <summary>
    /// Fails the first <paramref name="failures"/> calls that match (int.MaxValue: every one, a permanent fault), with a
    /// <see cref="SimulatedStorageFaultException"/> or what <paramref name="exception"/> makes (say, a lost ETag race).
    /// </summary>
    public FaultRule Fail(string description, Func<BlobCall, bool> match, int failures = int.MaxValue, Func<BlobCall, Exception>? exception = null)
    {
        var rule = new FaultRule(description, match, failures, exception);
        lock (_rules)
        {
            _rules.Add(rule);
        }

        return rule;
    }

    /// <summary>Counts the calls that match without failing any.</summary>
    public FaultRule Count(string description, Func<BlobCall, bool> match) => Fail(description, match, failures: 0);

    public async Task<StoredBlob?> ReadAsync(string container, string name, CancellationToken cancellationToken = default)
    {
        await InjectAsync(new BlobCall(BlobOperation.Read, container, name), cancellationToken);
        return await inner.ReadAsync(container, name, cancellationToken);
    }

    public async Task<Stream?> OpenReadAsync(string container, string name, CancellationToken cancellationToken = default)
    {
        await InjectAsync(new BlobCall(BlobOperation.OpenRead, container, name), cancellationToken);
        return await inner.OpenReadAsync(container, name, cancellationToken);
    }

    public async Task<string> WriteAsync(string container, string name, ReadOnlyMemory<byte> content, BlobWriteCondition condition = default, CancellationToken cancellationToken = default)
    {
        var call = new BlobCall(BlobOperation.Write, container, name);
        await InjectAsync(call, cancellationToken);
        OnWrite?.Invoke(call, content);
        return await inner.WriteAsync(container, name, content, condition, cancellationToken);
    }

    public async Task<string> UploadAsync(string container, string name, Stream content, CancellationToken cancellationToken = default)
    {
        await InjectAsync(new BlobCall(BlobOperation.Upload, container, name), cancellationToken);
        return await inner.UploadAsync(container, name, content, cancellationToken);
    }

    public async Task AppendAsync(string container, string name, ReadOnlyMemory<byte> content, CancellationToken cancellationToken = default)
    {
        await InjectAsync(new BlobCall(BlobOperation.Append, container, name), cancellationToken);
        await inner.AppendAsync(container, name, content, cancellationToken);
    }

    public async IAsyncEnumerable<BlobEntry> ListAsync(string container, string prefix = "", [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await InjectAsync(new BlobCall(BlobOperation.List, container, prefix), cancellationToken);
        await foreach (var entry in inner.ListAsync(container, prefix, cancellationToken))
        {
            yield return entry;
        }
    }

    public async Task<BlobEntry?> GetPropertiesAsync(string container, string name, CancellationToken cancellationToken = default)
    {
        await InjectAsync(new BlobCall(BlobOperation.GetProperties, container, name), cancellationToken);
        return await inner.GetPropertiesAsync(container, name, cancellationToken);
    }

    public async Task<bool> DeleteAsync(string container, string name, string? ifMatch = null, CancellationToken cancellationToken = default)
    {
        await InjectAsync(new BlobCall(BlobOperation.Delete, container, name), cancellationToken);
        return await inner.DeleteAsync(container, name, ifMatch, cancellationToken);
    }

    private async Task InjectAsync(BlobCall call, CancellationToken cancellationToken)
    {
        if (Latency > TimeSpan.Zero)
        {
            await Task.Delay(Latency, cancellationToken);
        }

        FaultRule[] rules;
        lock (_rules)
        {
            rules = [.. _rules];
        }

        foreach (var rule in rules)
        {
            if (rule.Matches(call) && rule.TakeFailure())
            {
                throw rule.ExceptionFor(call);
            }
        }
    }
}

/// <summary>A fault: which calls it matches, how many of them still fail, and how many it has seen.</summary>
public sealed class FaultRule(string description, Func<BlobCall, bool> match, int failures, Func<BlobCall, Exception>? exception = null)
{
    private int _matched;
    private int _injected;

    public string Description { get; } = description;

    public int Failures { get; } = failures;

    /// <summary>Gets how many calls matched (failed or not).</summary>
    public int Matched => Volatile.Read(ref _matched);

    /// <summary>Gets how many calls were made to fail.</summary>
    public int Injected => Volatile.Read(ref _injected);

    internal Exception ExceptionFor(BlobCall call) =>
        exception?.Invoke(call) ?? new SimulatedStorageFaultException($"storage unavailable (simulated {Description}) on {call.Operation} {call.Container}/{call.Name}");

    internal bool Matches(BlobCall call)
    {
        if (!match(call))
        {
            return false;
        }

        Interlocked.Increment(ref _matched);
        return true;
    }

    internal bool TakeFailure()
    {
        while (true)
        {
            var injected = Volatile.Read(ref _injected);
            if (injected >= Failures)
            {
                return false;
            }

            if (Interlocked.CompareExchange(ref _injected, injected + 1, injected) == injected)
            {
                return true;
            }
        }
    }
}
