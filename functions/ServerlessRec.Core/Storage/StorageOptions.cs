using System.ComponentModel.DataAnnotations;

namespace ServerlessRec.Storage;

/// <summary>Options of the blob store, bound from the <c>Storage</c> configuration section.</summary>
public sealed class StorageOptions
{
    /// <summary>The configuration section name.</summary>
    public const string SectionName = "Storage";

    /// <summary>The default local folder.</summary>
    public const string DefaultLocalRoot = ".serverlessrec";

    /// <summary>Gets or sets the backend.</summary>
    /// <value>The default is <see cref="StorageProvider.Local"/>.</value>
    public StorageProvider Provider { get; set; } = StorageProvider.Local;

    /// <summary>Gets or sets the folder used by the local backend.</summary>
    /// <value>The default is <c>./.serverlessrec</c>.</value>
    [Required]
    public string LocalRoot { get; set; } = DefaultLocalRoot;

    /// <summary>
    /// Gets or sets the blob service endpoint used with managed identity, e.g.
    /// <c>https://account.blob.core.windows.net</c>. Set by the Bicep deployment as <c>Storage__BlobServiceUri</c>.
    /// </summary>
    public Uri? BlobServiceUri { get; set; }

    /// <summary>
    /// Gets or sets a connection string; meant for Azurite (<c>UseDevelopmentStorage=true</c>). The cloud
    /// deployment uses <see cref="BlobServiceUri"/> and managed identity instead.
    /// </summary>
    public string? ConnectionString { get; set; }
}
