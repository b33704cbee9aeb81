using Azure.Core;
using ServerlessRec.Azure.Search;
using ServerlessRec.Retrieval;

namespace ServerlessRec.Azure.Tests.Search;

/// <summary>Builds the real backend (factory, SDK clients, pipeline) pointed at a <see cref="FakeSearchService"/>.</summary>
internal static class SearchTestBackend
{
    public const string ApiKey = "test-admin-key";

    public static SearchOptions Options(FakeSearchService service, Action<SearchOptions>? configure = null)
    {
        var options = new SearchOptions
        {
            Provider = SearchProviderKind.AzureAISearch,
            Endpoint = service.Endpoint,
            ApiKey = ApiKey,
            RetryDelay = TimeSpan.FromMilliseconds(1),
            MaxRetryDelay = TimeSpan.FromMilliseconds(5),
        };
        configure?.Invoke(options);
        return options;
    }

    public static AzureAISearchIndexPublisher Publisher(FakeSearchService service, Action<SearchOptions>? configure = null, TokenCredential? credential = null) =>
        SearchIndexBackendFactory.CreatePublisher(
            Options(service, configure),
            credential,
            client => client.AddPolicy(new HttpsToHttpPolicy(), HttpPipelinePosition.BeforeTransport));

    /// <summary>Random unit vectors with categories from a small pool, some items unavailable.</summary>
    public static List<IndexedItem> RandomItems(int count, int dimensions, int seed = 7, IReadOnlyList<string>? categoryPool = null)
    {
        var random = new Random(seed);
        var pool = categoryPool ?? ["books", "music", "film", "games"];
        var items = new List<IndexedItem>(count);
        for (var i = 0; i < count; i++)
        {
            var vector = new float[dimensions];
            var norm = 0.0;
            for (var d = 0; d < dimensions; d++)
            {
                vector[d] = (float)((random.NextDouble() * 2) - 1);
                norm += vector[d] * vector[d];
            }

            for (var d = 0; d < dimensions; d++)
            {
                vector[d] = (float)(vector[d] / Math.Sqrt(norm));
            }

            var categories = Enumerable.Range(0, random.Next(0, 3)).Select(_ => pool[random.Next(pool.Count)]).Distinct().ToArray();
            items.Add(new IndexedItem($"item-{i}", vector, categories, Available: random.Next(5) != 0, Popularity: random.Next(1000)));
        }

        return items;
    }

    public static float[] RandomQuery(int dimensions, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, dimensions).Select(_ => (float)((random.NextDouble() * 2) - 1)).ToArray();
    }
}
