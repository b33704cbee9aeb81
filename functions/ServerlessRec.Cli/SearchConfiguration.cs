using Microsoft.Extensions.Configuration;
using ServerlessRec.Azure.Search;
using ServerlessRec.Retrieval;
using ServerlessRec.Serving;
using ServerlessRec.Storage;

namespace ServerlessRec.Cli;

/// <summary>
/// The <c>Search</c> settings of a local run, from the run's configuration (<see cref="CliConfiguration"/>:
/// <c>Search__Provider</c>, <c>Search__Endpoint</c>, … in the environment or appsettings.json), so <c>retrain</c> and
/// <c>serve</c> can use a real Azure AI Search service.
/// </summary>
internal static class SearchConfiguration
{
    public static SearchOptions Read(IConfiguration configuration) => CliConfiguration.ReadOptions<SearchOptions>(configuration, SearchOptions.SectionName);

    public static IItemIndexPublisher CreatePublisher(IBlobStore store, SearchOptions options) =>
        options.Provider == SearchProviderKind.AzureAISearch ? SearchIndexBackendFactory.CreatePublisher(options) : new EmbeddedItemIndexPublisher(store);

    public static IModelIndexVerifier CreateIndexVerifier(IBlobStore store, SearchOptions options) =>
        options.Provider == SearchProviderKind.AzureAISearch ? SearchIndexBackendFactory.CreateIndexVerifier(options) : new EmbeddedModelIndexVerifier(store);

    public static IServingIndexResolver CreateResolver(SearchOptions options) =>
        options.Provider == SearchProviderKind.AzureAISearch ? new PublisherIndexResolver(SearchIndexBackendFactory.CreatePublisher(options)) : EmbeddedIndexResolver.Instance;
}
