using Azure.Core;
using Azure.Identity;
using Azure.Storage.Blobs;
using ServerlessRec.Storage;

namespace ServerlessRec.Azure.Storage;

/// <summary>
/// Creates the <see cref="IBlobStore"/> that <see cref="StorageOptions"/> describe: a local folder, or
/// Azure Blob Storage through managed identity (<see cref="StorageOptions.BlobServiceUri"/>) or a
/// connection string (<see cref="StorageOptions.ConnectionString"/>, meant for Azurite).
/// </summary>
public static class BlobStoreFactory
{
    /// <summary>
    /// The Blob service version every client is pinned to. Azure.Storage.Blobs 12.30.1 defaults to
    /// 2026-10-06, which Azurite 3.37.0 refuses; 2026-06-06 is the newest version both accept.
    /// </summary>
    public const BlobClientOptions.ServiceVersion PinnedServiceVersion = BlobClientOptions.ServiceVersion.V2026_06_06;

    /// <summary>Creates the store for <paramref name="options"/>.</summary>
    /// <param name="options">The storage options.</param>
    /// <param name="credential">The credential used with <see cref="StorageOptions.BlobServiceUri"/>; <see cref="DefaultAzureCredential"/> (managed identity in Azure) when <see langword="null"/>.</param>
    /// <exception cref="InvalidOperationException">The options do not describe one usable backend.</exception>
    public static IBlobStore Create(StorageOptions options, TokenCredential? credential = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.Provider switch
        {
            StorageProvider.Local => new LocalFolderBlobStore(options),
            StorageProvider.AzureBlob => new AzureBlobStore(CreateServiceClient(options, credential)),
            _ => throw new InvalidOperationException(
                $"Storage:Provider \"{options.Provider}\" is not supported; use {nameof(StorageProvider.Local)} or {nameof(StorageProvider.AzureBlob)}."),
        };
    }

    /// <summary>
    /// Says which store <paramref name="options"/> select, for the first line of a command's output: the local folder's
    /// full path, or the blob endpoint and how it authenticates. Never includes a key or a SAS token.
    /// </summary>
    /// <exception cref="InvalidOperationException">The options do not describe one usable backend.</exception>
    public static string Describe(StorageOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Provider == StorageProvider.Local)
        {
            return $"local folder {Path.GetFullPath(options.LocalRoot)}";
        }

        // Creating the client validates the settings (exactly one of the two) without contacting the service.
        var client = CreateServiceClient(options, credential: null);
        var endpoint = client.Uri.GetLeftPart(UriPartial.Path).TrimEnd('/');
        return options.BlobServiceUri is not null
            ? $"Azure Blob Storage {endpoint} (Entra ID: managed identity or developer sign-in)"
            : $"Azure Blob Storage {endpoint} (connection string)";
    }

    /// <summary>Creates a Blob service client, pinned to <see cref="PinnedServiceVersion"/>, for the Azure settings of <paramref name="options"/>.</summary>
    /// <param name="options">The storage options; exactly one of <see cref="StorageOptions.BlobServiceUri"/> and <see cref="StorageOptions.ConnectionString"/> must be set.</param>
    /// <param name="credential">The credential used with <see cref="StorageOptions.BlobServiceUri"/>; <see cref="DefaultAzureCredential"/> when <see langword="null"/>.</param>
    /// <exception cref="InvalidOperationException">Neither or both of the Azure settings are set.</exception>
    public static BlobServiceClient CreateServiceClient(StorageOptions options, TokenCredential? credential = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        bool hasUri = options.BlobServiceUri is not null;
        bool hasConnectionString = !string.IsNullOrWhiteSpace(options.ConnectionString);
        BlobClientOptions clientOptions = new(PinnedServiceVersion);
        return (hasUri, hasConnectionString) switch
        {
            (true, false) => new BlobServiceClient(options.BlobServiceUri, credential ?? new DefaultAzureCredential(), clientOptions),
            (false, true) => new BlobServiceClient(options.ConnectionString, clientOptions),
            (false, false) => throw new InvalidOperationException(
                "Storage:Provider is AzureBlob but neither Storage:BlobServiceUri (managed identity, e.g. https://account.blob.core.windows.net) " +
                "nor Storage:ConnectionString (e.g. UseDevelopmentStorage=true for Azurite) is set; set one of them."),
            (true, true) => throw new InvalidOperationException(
                "Storage:BlobServiceUri and Storage:ConnectionString are both set; set only one: BlobServiceUri for managed identity in Azure, " +
                "ConnectionString for Azurite."),
        };
    }
}
