namespace ServerlessRec.Retrieval;

/// <summary>Which index backend serves and publishes item vectors.</summary>
public enum SearchProviderKind
{
    /// <summary>The in-process exact index, loaded from the model version's blobs.</summary>
    Embedded,

    /// <summary>Azure AI Search, one index per model version.</summary>
    AzureAISearch,
}
