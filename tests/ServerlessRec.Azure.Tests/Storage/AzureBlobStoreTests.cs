using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using ServerlessRec.Azure.Storage;
using ServerlessRec.Storage;
using ServerlessRec.Tests.Storage;

namespace ServerlessRec.Azure.Tests.Storage;

[Collection(AzuriteTestGroup.Name)]
public sealed class AzureBlobStoreTests(AzuriteFixture azurite) : BlobStoreContractTests
{
    private readonly BlobServiceClient _serviceClient = azurite.CreateServiceClient();

    protected override Task<IBlobStore> CreateStoreAsync() => Task.FromResult(BlobStoreFactory.Create(azurite.CreateStorageOptions()));

    protected override async Task CleanUpAsync(IReadOnlyList<string> containers)
    {
        foreach (string container in containers)
        {
            await _serviceClient.GetBlobContainerClient(container).DeleteIfExistsAsync();
        }
    }

    [Fact]
    public void Create_AzureBlobWithConnectionString_ReturnsAzureBlobStore()
    {
        Assert.IsType<AzureBlobStore>(Store);
    }

    [Fact]
    public async Task WriteAsync_ContainerDeletedBehindTheStore_CreatesItAgain()
    {
        string container = NewContainer();
        await Store.WriteAsync(container, "a.txt", Utf8("1"));
        await _serviceClient.GetBlobContainerClient(container).DeleteAsync();

        await Store.WriteAsync(container, "b.txt", Utf8("2"));
        await Store.AppendAsync(container, "c.txt", Utf8("3"));

        Assert.Equal(["b.txt", "c.txt"], (await ListAllAsync(container)).Select(e => e.Name));
    }

    [Fact]
    public async Task WriteAsync_AndAppendAsync_UseBlockAndAppendBlobs()
    {
        string container = NewContainer();

        await Store.WriteAsync(container, "whole.json", Utf8("{}"));
        await Store.UploadAsync(container, "uploaded.bin", new MemoryStream(new byte[10]));
        await Store.AppendAsync(container, "log.jsonl", Utf8("x\n"));

        BlobContainerClient client = _serviceClient.GetBlobContainerClient(container);
        Assert.Equal(BlobType.Block, (await client.GetBlobClient("whole.json").GetPropertiesAsync()).Value.BlobType);
        Assert.Equal(BlobType.Block, (await client.GetBlobClient("uploaded.bin").GetPropertiesAsync()).Value.BlobType);
        Assert.Equal(BlobType.Append, (await client.GetBlobClient("log.jsonl").GetPropertiesAsync()).Value.BlobType);
    }

    [Fact]
    public async Task AppendAsync_ContentLargerThanOneAppendBlock_CommitsSeveralBlocks()
    {
        string container = NewContainer();
        byte[] content = new byte[(2 * AzureBlobStore.MaxAppendBlockBytes) + 1];

        await Store.AppendAsync(container, "big.bin", content);

        BlobProperties properties = (await _serviceClient.GetBlobContainerClient(container).GetBlobClient("big.bin").GetPropertiesAsync()).Value;
        Assert.Equal(3, properties.BlobCommittedBlockCount);
        Assert.Equal(content.Length, properties.ContentLength);
    }
}
