namespace ServerlessRec.Storage;

/// <summary>Which blob store backs ServerlessRec.</summary>
public enum StorageProvider
{
    /// <summary>A local folder (the embedded default).</summary>
    Local,

    /// <summary>Azure Blob Storage (or Azurite).</summary>
    AzureBlob,
}
