using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
using ServerlessRec.Storage;

namespace ServerlessRec.Azure.Storage;

/// <summary>
/// An <see cref="IBlobStore"/> on Azure Blob Storage (or Azurite): block blobs for whole writes and
/// uploads, append blobs for appends, ETags through <see cref="BlobRequestConditions"/>.
/// </summary>
/// <remarks>
/// ETags are returned in their quoted header form (<c>"0x8DC…"</c>) everywhere, listings included, so
/// an ETag from any call can be passed back as a condition. A container is created on its first write
/// and remembered; if it is deleted behind the store's back, the next write creates it again.
/// Appends larger than <see cref="MaxAppendBlockBytes"/> are split into several append blocks; each block
/// is atomic, so concurrent appends never interleave inside a block.
/// </remarks>
public sealed class AzureBlobStore : IBlobStore
{
    /// <summary>The append block size every service version accepts (newer ones allow up to 100 MiB): 4 MiB.</summary>
    public const int MaxAppendBlockBytes = BlobAppendLimits.MaxBlockBytes;

    private readonly BlobServiceClient _serviceClient;
    private readonly ConcurrentDictionary<string, bool> _createdContainers = new(StringComparer.Ordinal);

    /// <summary>Creates a store over <paramref name="serviceClient"/>; build it with <see cref="BlobStoreFactory"/> to get the pinned service version.</summary>
    public AzureBlobStore(BlobServiceClient serviceClient)
    {
        ArgumentNullException.ThrowIfNull(serviceClient);
        _serviceClient = serviceClient;
    }

    /// <inheritdoc/>
    public async Task<StoredBlob?> ReadAsync(string container, string name, CancellationToken cancellationToken = default)
    {
        ValidateNames(container, name);
        try
        {
            Response<BlobDownloadResult> response = await BlobClientFor(container, name).DownloadContentAsync(cancellationToken);
            return new StoredBlob(response.Value.Content.ToMemory(), FormatETag(response.Value.Details.ETag));
        }
        catch (RequestFailedException ex) when (IsNotFound(ex))
        {
            return null;
        }
    }

    /// <inheritdoc/>
    public async Task<Stream?> OpenReadAsync(string container, string name, CancellationToken cancellationToken = default)
    {
        ValidateNames(container, name);
        try
        {
            // One GET: the stream is the blob as it was when the request was served, however long it is read.
            Response<BlobDownloadStreamingResult> response = await BlobClientFor(container, name)
                .DownloadStreamingAsync(new BlobDownloadOptions(), cancellationToken);
            return response.Value.Content;
        }
        catch (RequestFailedException ex) when (IsNotFound(ex))
        {
            return null;
        }
    }

    /// <inheritdoc/>
    public async Task<byte[]?> ReadRangeAsync(string container, string name, long offset, int length, CancellationToken cancellationToken = default)
    {
        ValidateNames(container, name);
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        if (length == 0)
        {
            return await GetPropertiesAsync(container, name, cancellationToken) is null ? null : [];
        }

        try
        {
            // One ranged GET: only the slice crosses the network.
            Response<BlobDownloadStreamingResult> response = await BlobClientFor(container, name)
                .DownloadStreamingAsync(new BlobDownloadOptions { Range = new HttpRange(offset, length) }, cancellationToken);
            await using Stream content = response.Value.Content;
            byte[] buffer = new byte[length];
            int total = await content.ReadAtLeastAsync(buffer, length, throwOnEndOfStream: false, cancellationToken);
            return total == length ? buffer : buffer[..total];
        }
        catch (RequestFailedException ex) when (IsNotFound(ex))
        {
            return null;
        }
        catch (RequestFailedException ex) when (ex.Status == 416)
        {
            // The range starts at or past the end (an empty blob included).
            return [];
        }
    }

    /// <inheritdoc/>
    public Task<string> WriteAsync(string container, string name, ReadOnlyMemory<byte> content, BlobWriteCondition condition = default, CancellationToken cancellationToken = default)
    {
        ValidateNames(container, name);
        BlobRequestConditions? conditions = ToRequestConditions(condition);
        BlobClient blob = BlobClientFor(container, name);
        return WithContainerAsync(container, async () =>
        {
            try
            {
                BlobUploadOptions options = new() { Conditions = conditions };
                Response<BlobContentInfo> response = await blob.UploadAsync(BinaryData.FromBytes(content), options, cancellationToken);
                return FormatETag(response.Value.ETag);
            }
            catch (RequestFailedException ex) when (IsConditionFailure(ex) || (conditions?.IfMatch is not null && ex.ErrorCode == BlobErrorCode.BlobNotFound))
            {
                throw new BlobConditionFailedException(DescribeConditionFailure(container, name, condition, ex), ex);
            }
        }, canRetry: true, cancellationToken);
    }

    /// <inheritdoc/>
    public Task<string> UploadAsync(string container, string name, Stream content, CancellationToken cancellationToken = default)
    {
        ValidateNames(container, name);
        ArgumentNullException.ThrowIfNull(content);
        BlobClient blob = BlobClientFor(container, name);
        long start = content.CanSeek ? content.Position : -1;
        return WithContainerAsync(container, async () =>
        {
            if (start >= 0)
            {
                content.Position = start;
            }

            // Large streams are staged as blocks and committed in one Put Block List: readers never see a partial blob.
            Response<BlobContentInfo> response = await blob.UploadAsync(content, new BlobUploadOptions(), cancellationToken);
            return FormatETag(response.Value.ETag);
        }, canRetry: start >= 0, cancellationToken);
    }

    /// <inheritdoc/>
    public Task AppendAsync(string container, string name, ReadOnlyMemory<byte> content, CancellationToken cancellationToken = default)
    {
        ValidateNames(container, name);
        AppendBlobClient blob = _serviceClient.GetBlobContainerClient(container).GetAppendBlobClient(name);
        return WithContainerAsync(container, async () =>
        {
            try
            {
                if (content.IsEmpty)
                {
                    await blob.CreateIfNotExistsAsync(new AppendBlobCreateOptions(), cancellationToken);
                    return true;
                }

                for (int offset = 0; offset < content.Length; offset += MaxAppendBlockBytes)
                {
                    ReadOnlyMemory<byte> block = content.Slice(offset, Math.Min(MaxAppendBlockBytes, content.Length - offset));
                    await AppendBlockAsync(blob, block, cancellationToken);
                }

                return true;
            }
            catch (RequestFailedException ex) when (ex.ErrorCode == BlobErrorCode.InvalidBlobType)
            {
                throw new InvalidOperationException(
                    $"Blob \"{name}\" in container \"{container}\" was written whole, not appended; append only to blobs created by AppendAsync.", ex);
            }
            catch (RequestFailedException ex) when (ex.ErrorCode == BlobErrorCode.BlockCountExceedsLimit)
            {
                throw new AppendBlobFullException(
                    $"Append blob \"{name}\" in container \"{container}\" holds the most blocks an append blob may have ({BlobAppendLimits.MaxBlocksPerBlob}); the append was refused.", ex);
            }
        }, canRetry: true, cancellationToken);
    }

    /// <inheritdoc/>
    public IAsyncEnumerable<BlobEntry> ListAsync(string container, string prefix = "", CancellationToken cancellationToken = default)
    {
        BlobNameRules.ValidateContainerName(container);
        BlobNameRules.ValidatePrefix(prefix);
        return ListCoreAsync(container, prefix, cancellationToken);
    }

    /// <inheritdoc/>
    public async Task<BlobEntry?> GetPropertiesAsync(string container, string name, CancellationToken cancellationToken = default)
    {
        ValidateNames(container, name);
        try
        {
            Response<BlobProperties> response = await BlobClientFor(container, name).GetPropertiesAsync(conditions: null, cancellationToken);
            BlobProperties properties = response.Value;
            return new BlobEntry(name, properties.ContentLength, FormatETag(properties.ETag), properties.LastModified);
        }
        catch (RequestFailedException ex) when (IsNotFound(ex))
        {
            return null;
        }
    }

    /// <inheritdoc/>
    public async Task<bool> DeleteAsync(string container, string name, string? ifMatch = null, CancellationToken cancellationToken = default)
    {
        ValidateNames(container, name);
        if (ifMatch is not null)
        {
            ArgumentException.ThrowIfNullOrWhiteSpace(ifMatch);
        }

        BlobRequestConditions? conditions = ifMatch is null ? null : new BlobRequestConditions { IfMatch = new ETag(ifMatch) };
        try
        {
            Response<bool> response = await BlobClientFor(container, name)
                .DeleteIfExistsAsync(DeleteSnapshotsOption.IncludeSnapshots, conditions, cancellationToken);
            return response.Value;
        }
        catch (RequestFailedException ex) when (IsConditionFailure(ex))
        {
            // If-Match on a missing blob also fails with 412; the contract says a missing blob returns false.
            if (await GetPropertiesAsync(container, name, cancellationToken) is null)
            {
                return false;
            }

            throw new BlobConditionFailedException(
                $"Blob \"{name}\" in container \"{container}\" no longer has ETag {ifMatch}; it was not deleted.", ex);
        }
    }

    private async IAsyncEnumerable<BlobEntry> ListCoreAsync(string container, string prefix, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        BlobContainerClient containerClient = _serviceClient.GetBlobContainerClient(container);
        AsyncPageable<BlobItem> items = containerClient.GetBlobsAsync(
            BlobTraits.None, BlobStates.None, prefix.Length == 0 ? null : prefix, cancellationToken);
        await using IAsyncEnumerator<BlobItem> enumerator = items.GetAsyncEnumerator(cancellationToken);
        while (true)
        {
            try
            {
                if (!await enumerator.MoveNextAsync())
                {
                    yield break;
                }
            }
            catch (RequestFailedException ex) when (ex.ErrorCode == BlobErrorCode.ContainerNotFound)
            {
                yield break;
            }

            BlobItem item = enumerator.Current;
            BlobItemProperties properties = item.Properties;
            yield return new BlobEntry(
                item.Name,
                properties.ContentLength ?? 0,
                FormatETag(properties.ETag ?? throw new InvalidOperationException($"The listing of container \"{container}\" returned blob \"{item.Name}\" without an ETag.")),
                properties.LastModified ?? DateTimeOffset.MinValue);
        }
    }

    // canRetry is false when the operation cannot run twice (a stream that cannot be rewound).
    private async Task<T> WithContainerAsync<T>(string container, Func<Task<T>> operation, bool canRetry, CancellationToken cancellationToken)
    {
        await EnsureContainerAsync(container, cancellationToken);
        try
        {
            return await operation();
        }
        catch (RequestFailedException ex) when (ex.ErrorCode == BlobErrorCode.ContainerNotFound)
        {
            // Deleted since this store created it: create it again and retry once.
            _createdContainers.TryRemove(container, out _);
            if (!canRetry)
            {
                throw;
            }

            await EnsureContainerAsync(container, cancellationToken);
            return await operation();
        }
    }

    private async Task EnsureContainerAsync(string container, CancellationToken cancellationToken)
    {
        if (_createdContainers.ContainsKey(container))
        {
            return;
        }

        await _serviceClient.GetBlobContainerClient(container).CreateIfNotExistsAsync(PublicAccessType.None, metadata: null, cancellationToken);
        _createdContainers.TryAdd(container, true);
    }

    private static async Task AppendBlockAsync(AppendBlobClient blob, ReadOnlyMemory<byte> block, CancellationToken cancellationToken)
    {
        try
        {
            await using Stream stream = BinaryData.FromBytes(block).ToStream();
            await blob.AppendBlockAsync(stream, new AppendBlobAppendBlockOptions(), cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.ErrorCode == BlobErrorCode.BlobNotFound)
        {
            // First append: create the append blob (or find that a concurrent appender just did) and append again.
            await blob.CreateIfNotExistsAsync(new AppendBlobCreateOptions(), cancellationToken);
            await using Stream stream = BinaryData.FromBytes(block).ToStream();
            await blob.AppendBlockAsync(stream, new AppendBlobAppendBlockOptions(), cancellationToken);
        }
    }

    private BlobClient BlobClientFor(string container, string name) =>
        _serviceClient.GetBlobContainerClient(container).GetBlobClient(name);

    private static BlobRequestConditions? ToRequestConditions(BlobWriteCondition condition)
    {
        if (condition.IfMatch is not null && condition.IfNotExists)
        {
            throw new ArgumentException("A write condition cannot require both an ETag (IfMatch) and that the blob does not exist (IfNotExists).", nameof(condition));
        }

        if (condition.IfMatch is { } etag)
        {
            if (string.IsNullOrWhiteSpace(etag))
            {
                throw new ArgumentException("A write condition's IfMatch ETag must not be empty.", nameof(condition));
            }

            return new BlobRequestConditions { IfMatch = new ETag(etag) };
        }

        return condition.IfNotExists ? new BlobRequestConditions { IfNoneMatch = ETag.All } : null;
    }

    private static string DescribeConditionFailure(string container, string name, BlobWriteCondition condition, RequestFailedException ex) =>
        condition.IfNotExists
            ? $"Blob \"{name}\" already exists in container \"{container}\"; a create-only write was refused ({ex.ErrorCode})."
            : $"Blob \"{name}\" in container \"{container}\" no longer has ETag {condition.IfMatch}; the write was refused ({ex.ErrorCode}).";

    private static bool IsNotFound(RequestFailedException ex) => ex.Status == 404;

    // 412: an If-Match or If-None-Match did not hold; 409 BlobAlreadyExists: If-None-Match: * on an existing blob.
    private static bool IsConditionFailure(RequestFailedException ex) =>
        ex.Status == 412 || (ex.Status == 409 && ex.ErrorCode == BlobErrorCode.BlobAlreadyExists);

    private static string FormatETag(ETag etag) => etag.ToString("H");

    private static void ValidateNames(string container, string name)
    {
        BlobNameRules.ValidateContainerName(container);
        BlobNameRules.ValidateBlobName(name);
    }
}
