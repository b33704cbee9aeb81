namespace ServerlessRec.Configuration;

/// <summary>
/// The application settings the Functions app reads. The single source of truth shared by the app and
/// the Bicep deployment test (which asserts that <c>infra/</c> sets exactly these).
/// </summary>
public static class AppSettingNames
{
    /// <summary>The Functions host storage account (identity-based connection).</summary>
    public const string WebJobsStorageAccountName = "AzureWebJobsStorage__accountName";

    /// <summary>The credential kind of the host storage connection (<c>managedidentity</c>).</summary>
    public const string WebJobsStorageCredential = "AzureWebJobsStorage__credential";

    /// <summary>The NCRONTAB schedule of the retraining timer.</summary>
    public const string RetrainSchedule = "RetrainSchedule";

    /// <summary>Blob store backend (<c>Local</c> or <c>AzureBlob</c>).</summary>
    public const string StorageProvider = "Storage__Provider";

    /// <summary>Blob service endpoint for the data containers (managed identity).</summary>
    public const string StorageBlobServiceUri = "Storage__BlobServiceUri";

    /// <summary>Index backend (<c>Embedded</c> or <c>AzureAISearch</c>).</summary>
    public const string SearchProvider = "Search__Provider";

    /// <summary>The Azure AI Search endpoint (managed identity).</summary>
    public const string SearchEndpoint = "Search__Endpoint";

    /// <summary>Application Insights connection string (not a secret: an ingestion key plus endpoint).</summary>
    public const string ApplicationInsightsConnectionString = "APPLICATIONINSIGHTS_CONNECTION_STRING";

    /// <summary>Makes Application Insights authenticate with Entra ID (<c>Authorization=AAD</c>).</summary>
    public const string ApplicationInsightsAuthenticationString = "APPLICATIONINSIGHTS_AUTHENTICATION_STRING";

    /// <summary>How callers are authorised: <c>FunctionKeys</c> or <c>Entra</c> (<c>ServerlessRec.Http.AccessOptions.Mode</c>).</summary>
    public const string AccessMode = "Access__Mode";

    /// <summary>Entra object or client ids admitted to the serving routes (ids, not secrets).</summary>
    public const string AccessServingCallers = "Access__ServingCallers";

    /// <summary>Entra object or client ids admitted to the privacy routes (vector, export, forget).</summary>
    public const string AccessPrivacyCallers = "Access__PrivacyCallers";

    /// <summary>Entra object or client ids admitted to the operations routes (retraining).</summary>
    public const string AccessOperationsCallers = "Access__OperationsCallers";

    /// <summary>Every setting the app reads, in one list for the deployment test.</summary>
    public static IReadOnlyList<string> All { get; } =
    [
        WebJobsStorageAccountName,
        WebJobsStorageCredential,
        RetrainSchedule,
        StorageProvider,
        StorageBlobServiceUri,
        SearchProvider,
        SearchEndpoint,
        ApplicationInsightsConnectionString,
        ApplicationInsightsAuthenticationString,
        AccessMode,
        AccessServingCallers,
        AccessPrivacyCallers,
        AccessOperationsCallers,
    ];
}
