using System.ComponentModel.DataAnnotations;
using Azure;
using Azure.Core;
using Azure.Identity;
using Azure.Search.Documents;
using Azure.Search.Documents.Indexes;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using ServerlessRec.Retrieval;
using SearchOptions = ServerlessRec.Retrieval.SearchOptions;

namespace ServerlessRec.Azure.Search;

/// <summary>
/// Creates the Azure AI Search backend from <see cref="SearchOptions"/>: one <see cref="SearchIndexClient"/>
/// (a singleton: it owns the HTTP pipeline) authenticated with <see cref="DefaultAzureCredential"/> (managed
/// identity in Azure, <c>az login</c> locally), or with an API key only when <see cref="SearchOptions.ApiKey"/>
/// is set.
/// </summary>
public static class SearchIndexBackendFactory
{
    /// <summary>Creates the publisher (and, through it, the query-side indexes) of an Azure AI Search service.</summary>
    /// <param name="options">Validated search options whose provider is <see cref="SearchProviderKind.AzureAISearch"/>.</param>
    /// <param name="credential">The token credential; <see langword="null"/> means a new <see cref="DefaultAzureCredential"/>. Ignored when an API key is set.</param>
    /// <param name="configureClient">Adjusts the client options after the factory set them (extra pipeline policies, a transport).</param>
    /// <param name="timeProvider">The clock of the per-document retry delays; <see langword="null"/> means the system clock.</param>
    /// <param name="logger">The logger; <see langword="null"/> means none.</param>
    public static AzureAISearchIndexPublisher CreatePublisher(
        SearchOptions options,
        TokenCredential? credential = null,
        Action<SearchClientOptions>? configureClient = null,
        TimeProvider? timeProvider = null,
        ILogger<AzureAISearchIndexPublisher>? logger = null)
    {
        var indexClient = CreateIndexClient(options, credential, configureClient);
        return new AzureAISearchIndexPublisher(indexClient, options, timeProvider ?? TimeProvider.System, logger ?? NullLogger<AzureAISearchIndexPublisher>.Instance);
    }

    /// <summary>Creates the rollback check of a version's index (it exists and holds every item) on an Azure AI Search service.</summary>
    /// <param name="options">Validated search options whose provider is <see cref="SearchProviderKind.AzureAISearch"/>.</param>
    /// <param name="credential">The token credential; <see langword="null"/> means a new <see cref="DefaultAzureCredential"/>. Ignored when an API key is set.</param>
    /// <param name="configureClient">Adjusts the client options after the factory set them.</param>
    public static AzureAISearchIndexVerifier CreateIndexVerifier(SearchOptions options, TokenCredential? credential = null, Action<SearchClientOptions>? configureClient = null) =>
        new(CreateIndexClient(options, credential, configureClient), options.IndexPrefix);

    /// <summary>Creates the index client the publisher uses.</summary>
    /// <param name="options">Validated search options whose provider is <see cref="SearchProviderKind.AzureAISearch"/>.</param>
    /// <param name="credential">The token credential; <see langword="null"/> means a new <see cref="DefaultAzureCredential"/>. Ignored when an API key is set.</param>
    /// <param name="configureClient">Adjusts the client options after the factory set them.</param>
    public static SearchIndexClient CreateIndexClient(SearchOptions options, TokenCredential? credential = null, Action<SearchClientOptions>? configureClient = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Provider != SearchProviderKind.AzureAISearch)
        {
            throw new ArgumentException($"Search:Provider is {options.Provider}; the Azure AI Search backend needs {nameof(SearchProviderKind.AzureAISearch)}", nameof(options));
        }

        var errors = new List<ValidationResult>();
        if (!Validator.TryValidateObject(options, new ValidationContext(options), errors, validateAllProperties: true))
        {
            throw new ArgumentException("invalid search options: " + string.Join(" ", errors.Select(e => e.ErrorMessage)), nameof(options));
        }

        var clientOptions = new SearchClientOptions(SearchClientOptions.ServiceVersion.V2023_11_01) { Serializer = ItemDocumentJson.Serializer };
        clientOptions.Retry.Mode = RetryMode.Exponential;
        clientOptions.Retry.MaxRetries = options.MaxRetries;
        clientOptions.Retry.Delay = options.RetryDelay;
        clientOptions.Retry.MaxDelay = options.MaxRetryDelay;
        if (options.ScalarQuantization)
        {
            clientOptions.AddPolicy(new ScalarQuantizationPolicy(), HttpPipelinePosition.PerCall);
        }

        configureClient?.Invoke(clientOptions);
        var endpoint = options.Endpoint!;
        return string.IsNullOrEmpty(options.ApiKey)
            ? new SearchIndexClient(endpoint, credential ?? new DefaultAzureCredential(), clientOptions)
            : new SearchIndexClient(endpoint, new AzureKeyCredential(options.ApiKey), clientOptions);
    }
}
