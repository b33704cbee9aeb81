namespace ServerlessRec.Storage;

/// <summary>
/// The one storage abstraction of ServerlessRec: named blobs grouped in containers, with ETag
/// semantics for optimistic concurrency. Implemented by a local folder and by Azure Blob Storage;
/// both pass the same contract tests.
/// </summary>
/// <remarks>
/// Blob names use '/' as a separator (for example <c>2026/11/28/10/web-1.jsonl</c>). Containers are
/// created on first write. Reads of a missing blob return <see langword="null"/>, never throw.
/// </remarks>
public interface IBlobStore
{
    /// <summary>Reads a whole blob with its ETag, or returns <see langword="null"/> when it does not exist.</summary>
    Task<StoredBlob?> ReadAsync(string container, string name, CancellationToken cancellationToken = default);

    /// <summary>Opens a blob for streaming reads, or returns <see langword="null"/> when it does not exist.</summary>
    Task<Stream?> OpenReadAsync(string container, string name, CancellationToken cancellationToken = default);

    /// <summary>
    /// Reads up to <paramref name="length"/> bytes of a blob from <paramref name="offset"/> (fewer at its end, none past
    /// it), or returns <see langword="null"/> when it does not exist: a slice of a large artefact without reading it whole.
    /// The default seeks in (or skips through) <see cref="OpenReadAsync"/>'s stream; the Azure store asks for the range.
    /// </summary>
    async Task<byte[]?> ReadRangeAsync(string container, string name, long offset, int length, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        var stream = await OpenReadAsync(container, name, cancellationToken).ConfigureAwait(false);
        if (stream is null)
        {
            return null;
        }

        await using (stream.ConfigureAwait(false))
        {
            if (stream.CanSeek)
            {
                stream.Position = Math.Min(offset, stream.Length);
            }
            else
            {
                var skip = new byte[81_920];
                for (var left = offset; left > 0;)
                {
                    var read = await stream.ReadAsync(skip.AsMemory(0, (int)Math.Min(skip.Length, left)), cancellationToken).ConfigureAwait(false);
                    if (read == 0)
                    {
                        return [];
                    }

                    left -= read;
                }
            }

            var buffer = new byte[length];
            var total = await stream.ReadAtLeastAsync(buffer, length, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
            return total == length ? buffer : buffer[..total];
        }
    }

    /// <summary>
    /// Writes (creates or atomically replaces) a blob and returns its new ETag.
    /// </summary>
    /// <exception cref="BlobConditionFailedException">The <paramref name="condition"/> did not hold.</exception>
    Task<string> WriteAsync(string container, string name, ReadOnlyMemory<byte> content, BlobWriteCondition condition = default, CancellationToken cancellationToken = default);

    /// <summary>Writes a blob from a stream (for large artefacts) and returns its new ETag. Readers never see a partial blob.</summary>
    Task<string> UploadAsync(string container, string name, Stream content, CancellationToken cancellationToken = default);

    /// <summary>
    /// Appends bytes to a blob, creating it when missing. Concurrent appends are not lost. Each append adds one block per
    /// started <see cref="BlobAppendLimits.MaxBlockBytes"/> of content; a blob takes at most
    /// <see cref="BlobAppendLimits.MaxBlocksPerBlob"/> blocks (as Azure's append blobs do), then every append to it fails.
    /// </summary>
    /// <exception cref="AppendBlobFullException">The blob holds too many blocks to take this append; append to another blob.</exception>
    Task AppendAsync(string container, string name, ReadOnlyMemory<byte> content, CancellationToken cancellationToken = default);

    /// <summary>Lists the blobs of a container whose names start with <paramref name="prefix"/>, in ordinal name order.</summary>
    IAsyncEnumerable<BlobEntry> ListAsync(string container, string prefix = "", CancellationToken cancellationToken = default);

    /// <summary>Returns a blob's properties, or <see langword="null"/> when it does not exist.</summary>
    Task<BlobEntry?> GetPropertiesAsync(string container, string name, CancellationToken cancellationToken = default);

    /// <summary>Deletes a blob; returns <see langword="false"/> when it did not exist.</summary>
    /// <exception cref="BlobConditionFailedException"><paramref name="ifMatch"/> is set and differs from the blob's ETag.</exception>
    Task<bool> DeleteAsync(string container, string name, string? ifMatch = null, CancellationToken cancellationToken = default);
}
