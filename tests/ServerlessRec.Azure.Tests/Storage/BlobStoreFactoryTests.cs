using Azure.Core;
using Azure.Identity;
using ServerlessRec.Azure.Storage;
using ServerlessRec.Storage;

namespace ServerlessRec.Azure.Tests.Storage;

public sealed class BlobStoreFactoryTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "serverlessrec-factory-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    [Fact]
    public void Create_LocalProvider_ReturnsLocalFolderBlobStoreAtLocalRoot()
    {
        IBlobStore store = BlobStoreFactory.Create(new StorageOptions { Provider = StorageProvider.Local, LocalRoot = _root });

        LocalFolderBlobStore local = Assert.IsType<LocalFolderBlobStore>(store);
        Assert.Equal(Path.GetFullPath(_root), local.RootPath);
    }

    [Fact]
    public void Create_AzureBlobWithServiceUri_ReturnsAzureBlobStoreWithoutCallingTheService()
    {
        StorageOptions options = new() { Provider = StorageProvider.AzureBlob, BlobServiceUri = new Uri("https://account.blob.core.windows.net") };

        Assert.IsType<AzureBlobStore>(BlobStoreFactory.Create(options));
        Assert.IsType<AzureBlobStore>(BlobStoreFactory.Create(options, new ManagedIdentityCredential(ManagedIdentityId.SystemAssigned)));
    }

    [Fact]
    public void CreateServiceClient_ServiceUri_UsesThatEndpoint()
    {
        StorageOptions options = new() { Provider = StorageProvider.AzureBlob, BlobServiceUri = new Uri("https://account.blob.core.windows.net") };

        Assert.Equal("account", BlobStoreFactory.CreateServiceClient(options, new UnusedCredential()).AccountName);
    }

    [Fact]
    public void Create_AzureBlobWithNeitherUriNorConnectionString_ThrowsNamingBothSettings()
    {
        InvalidOperationException ex = Assert.Throws<InvalidOperationException>(
            () => BlobStoreFactory.Create(new StorageOptions { Provider = StorageProvider.AzureBlob, ConnectionString = " " }));

        Assert.Contains("Storage:BlobServiceUri", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Storage:ConnectionString", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Create_AzureBlobWithBothUriAndConnectionString_ThrowsAskingForOne()
    {
        StorageOptions options = new()
        {
            Provider = StorageProvider.AzureBlob,
            BlobServiceUri = new Uri("https://account.blob.core.windows.net"),
            ConnectionString = "UseDevelopmentStorage=true",
        };

        InvalidOperationException ex = Assert.Throws<InvalidOperationException>(() => BlobStoreFactory.Create(options));

        Assert.Contains("only one", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Create_UnknownProvider_Throws()
    {
        Assert.Throws<InvalidOperationException>(() => BlobStoreFactory.Create(new StorageOptions { Provider = (StorageProvider)42 }));
    }

    private sealed class UnusedCredential : TokenCredential
    {
        public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("No token is needed to build a client.");

        public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("No token is needed to build a client.");
    }
}
