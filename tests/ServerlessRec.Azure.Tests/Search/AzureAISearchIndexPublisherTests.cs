using Azure;
using ServerlessRec.Azure.Search;
using ServerlessRec.Retrieval;

namespace ServerlessRec.Azure.Tests.Search;

public sealed class AzureAISearchIndexPublisherTests : IAsyncLifetime
{
    private FakeSearchService _service = null!;

    public async Task InitializeAsync() => _service = await FakeSearchService.StartAsync();

    public async Task DisposeAsync() => await _service.DisposeAsync();

    [Fact]
    public async Task CreateVersionAsync_Defaults_SendsIndexDefinitionWithHnswCosineProfile()
    {
        var publisher = SearchTestBackend.Publisher(_service, o =>
        {
            o.HnswM = 6;
            o.EfConstruction = 300;
            o.EfSearch = 700;
        });

        await publisher.CreateVersionAsync("20250101", 64);

        var create = Assert.Single(_service.Requests, r => r.Method == "POST" && r.Path == "/indexes");
        Assert.Equal("?api-version=2023-11-01", create.Query);
        var index = create.Json;
        Assert.Equal("items-v20250101", index["name"]!.GetValue<string>());
        var fields = index["fields"]!.AsArray().Select(f => f!.AsObject()).ToDictionary(f => f["name"]!.GetValue<string>());
        Assert.Equal(["id", "itemId", "embedding", "categories", "available", "popularity"], fields.Keys);
        Assert.True(fields["id"]["key"]!.GetValue<bool>());
        Assert.Equal("Edm.String", fields["id"]["type"]!.GetValue<string>());
        Assert.Equal("Collection(Edm.Single)", fields["embedding"]["type"]!.GetValue<string>());
        Assert.Equal(64, fields["embedding"]["dimensions"]!.GetValue<int>());
        Assert.Equal("embedding-profile", fields["embedding"]["vectorSearchProfile"]!.GetValue<string>());
        Assert.Equal("Collection(Edm.String)", fields["categories"]["type"]!.GetValue<string>());
        Assert.True(fields["categories"]["filterable"]!.GetValue<bool>());
        Assert.Equal("Edm.Boolean", fields["available"]["type"]!.GetValue<string>());
        Assert.True(fields["available"]["filterable"]!.GetValue<bool>());
        Assert.Equal("Edm.Int64", fields["popularity"]["type"]!.GetValue<string>());
        Assert.True(fields["popularity"]["sortable"]!.GetValue<bool>());

        var vectorSearch = index["vectorSearch"]!.AsObject();
        var profile = Assert.Single(vectorSearch["profiles"]!.AsArray())!.AsObject();
        Assert.Equal("embedding-profile", profile["name"]!.GetValue<string>());
        Assert.Equal("embedding-hnsw", profile["algorithm"]!.GetValue<string>());
        var algorithm = Assert.Single(vectorSearch["algorithms"]!.AsArray())!.AsObject();
        Assert.Equal("hnsw", algorithm["kind"]!.GetValue<string>());
        var parameters = algorithm["hnswParameters"]!.AsObject();
        Assert.Equal(6, parameters["m"]!.GetValue<int>());
        Assert.Equal(300, parameters["efConstruction"]!.GetValue<int>());
        Assert.Equal(700, parameters["efSearch"]!.GetValue<int>());
        Assert.Equal("cosine", parameters["metric"]!.GetValue<string>());
        Assert.Null(vectorSearch["compressions"]);
    }

    [Fact]
    public async Task CreateVersionAsync_ScalarQuantization_AddsCompressionOnNewerApiVersion()
    {
        var publisher = SearchTestBackend.Publisher(_service, o => o.ScalarQuantization = true);

        await publisher.CreateVersionAsync("7", 32);
        await publisher.UploadAsync("7", SearchTestBackend.RandomItems(3, 32));

        var create = Assert.Single(_service.Requests, r => r.Method == "POST" && r.Path == "/indexes");
        Assert.Equal("?api-version=2024-07-01", create.Query);
        Assert.Equal("?api-version=2024-07-01", Assert.Single(_service.Requests, r => r.Method == "DELETE").Query);
        var vectorSearch = create.Json["vectorSearch"]!.AsObject();
        var compression = Assert.Single(vectorSearch["compressions"]!.AsArray())!.AsObject();
        Assert.Equal("embedding-int8", compression["name"]!.GetValue<string>());
        Assert.Equal("scalarQuantization", compression["kind"]!.GetValue<string>());
        Assert.Equal("int8", compression["scalarQuantizationParameters"]!["quantizedDataType"]!.GetValue<string>());
        Assert.True(compression["rerankWithOriginalVectors"]!.GetValue<bool>());
        Assert.Equal("embedding-int8", vectorSearch["profiles"]![0]!["compression"]!.GetValue<string>());
        Assert.All(_service.RequestsTo("/docs/search.index"), r => Assert.Contains("api-version=2023-11-01", r.Query, StringComparison.Ordinal));
    }

    [Fact]
    public async Task CreateVersionAsync_ExistingIndex_DeletesAndRecreatesIt()
    {
        var publisher = SearchTestBackend.Publisher(_service);
        await publisher.CreateVersionAsync("1", 8);
        await publisher.UploadAsync("1", SearchTestBackend.RandomItems(5, 8));

        await publisher.CreateVersionAsync("1", 8);

        Assert.Equal(0, await publisher.CountAsync("1"));
        Assert.Equal(2, _service.Requests.Count(r => r.Method == "DELETE" && r.Path == "/indexes('items-v1')"));
    }

    [Theory]
    [InlineData("V1")]
    [InlineData("1.2")]
    [InlineData("a--b")]
    [InlineData("-1")]
    [InlineData("")]
    public async Task CreateVersionAsync_VersionNotValidInIndexName_ThrowsNamingTheVersion(string version)
    {
        var publisher = SearchTestBackend.Publisher(_service);

        var error = await Assert.ThrowsAsync<ArgumentException>(() => publisher.CreateVersionAsync(version, 8));

        Assert.Contains($"model version \"{version}\"", error.Message, StringComparison.Ordinal);
        Assert.Empty(_service.Requests);
    }

    [Fact]
    public async Task UploadAsync_2500Items_SendsBatchesOf1000And1000And500()
    {
        var publisher = SearchTestBackend.Publisher(_service);
        await publisher.CreateVersionAsync("1", 4);

        await publisher.UploadAsync("1", SearchTestBackend.RandomItems(2500, 4));

        var sizes = _service.RequestsTo("/docs/search.index").Select(r => r.Json["value"]!.AsArray().Count).ToArray();
        Assert.Equal([1000, 1000, 500], sizes);
        Assert.Equal(2500, await publisher.CountAsync("1"));
    }

    [Fact]
    public async Task UploadAsync_ConfiguredBatchSize_SplitsByIt()
    {
        var publisher = SearchTestBackend.Publisher(_service, o => o.UploadBatchSize = 300);
        await publisher.CreateVersionAsync("1", 4);

        await publisher.UploadAsync("1", SearchTestBackend.RandomItems(700, 4));

        Assert.Equal([300, 300, 100], _service.RequestsTo("/docs/search.index").Select(r => r.Json["value"]!.AsArray().Count));
    }

    [Fact]
    public async Task UploadAsync_BatchOver16MB_SplitsItBySize()
    {
        var publisher = SearchTestBackend.Publisher(_service);
        await publisher.CreateVersionAsync("1", 4);
        var longCategory = new string('c', 20_000);
        var items = SearchTestBackend.RandomItems(1000, 4).Select(i => i with { Categories = [longCategory] }).ToList();

        // ~20 MB in 1000 documents: the count allows one request, the 16 MB limit does not.
        await publisher.UploadAsync("1", items);

        var bodies = _service.RequestsTo("/docs/search.index").Select(r => System.Text.Encoding.UTF8.GetByteCount(r.Body)).ToList();
        Assert.Equal(2, bodies.Count);
        Assert.All(bodies, size => Assert.InRange(size, 1, 16 * 1024 * 1024));
        Assert.True(bodies[0] > 15 * 1024 * 1024, $"the first request carried only {bodies[0]} bytes");
        Assert.Equal(1000, _service.DocumentCount("items-v1"));
    }

    [Theory]
    [InlineData(429)]
    [InlineData(503)]
    public async Task UploadAsync_ThrottledOrUnavailable_RetriesUntilAccepted(int status)
    {
        var publisher = SearchTestBackend.Publisher(_service);
        await publisher.CreateVersionAsync("1", 4);
        _service.FailNextIndexRequests(status, times: 2);

        await publisher.UploadAsync("1", SearchTestBackend.RandomItems(10, 4));

        Assert.Equal(3, _service.RequestsTo("/docs/search.index").Count());
        Assert.Equal(10, _service.DocumentCount("items-v1"));
    }

    [Fact]
    public async Task UploadAsync_AlwaysUnavailable_GivesUpAfterMaxRetries()
    {
        var publisher = SearchTestBackend.Publisher(_service, o => o.MaxRetries = 2);
        await publisher.CreateVersionAsync("1", 4);
        _service.FailNextIndexRequests(503, times: 100);

        var error = await Assert.ThrowsAsync<RequestFailedException>(() => publisher.UploadAsync("1", SearchTestBackend.RandomItems(10, 4)));

        Assert.Equal(503, error.Status);
        Assert.Equal(3, _service.RequestsTo("/docs/search.index").Count());
    }

    [Fact]
    public async Task UploadAsync_PartialSuccess_ResendsOnlyTheFailedDocuments()
    {
        var publisher = SearchTestBackend.Publisher(_service);
        await publisher.CreateVersionAsync("1", 4);
        _service.FailDocument("item-3", 503, "Service busy", times: 2);
        _service.FailDocument("item-7", 429, "Too many requests", times: 1);
        _service.FailDocument("item-8", 422, "Index temporarily unavailable", times: 1);

        await publisher.UploadAsync("1", SearchTestBackend.RandomItems(10, 4));

        var sent = _service.RequestsTo("/docs/search.index")
            .Select(r => r.Json["value"]!.AsArray().Select(d => d!["itemId"]!.GetValue<string>()).Order(StringComparer.Ordinal).ToArray())
            .ToArray();
        Assert.Equal(3, sent.Length);
        Assert.Equal(10, sent[0].Length);
        Assert.Equal(["item-3", "item-7", "item-8"], sent[1]);
        Assert.Equal(["item-3"], sent[2]);
        Assert.Equal(10, _service.DocumentCount("items-v1"));
    }

    [Fact]
    public async Task UploadAsync_DocumentRejected_ThrowsWithItemIdAndServiceMessage()
    {
        var publisher = SearchTestBackend.Publisher(_service);
        await publisher.CreateVersionAsync("1", 4);
        _service.FailDocument("item-4", 400, "The vector field 'embedding' has the wrong dimensions.");

        var error = await Assert.ThrowsAsync<RequestFailedException>(() => publisher.UploadAsync("1", SearchTestBackend.RandomItems(10, 4)));

        Assert.Equal(400, error.Status);
        Assert.Contains("item \"item-4\"", error.Message, StringComparison.Ordinal);
        Assert.Contains("The vector field 'embedding' has the wrong dimensions.", error.Message, StringComparison.Ordinal);
        Assert.Single(_service.RequestsTo("/docs/search.index"));
    }

    [Fact]
    public async Task UploadAsync_DocumentStaysUnavailable_ThrowsAfterMaxRetriesWithItemId()
    {
        var publisher = SearchTestBackend.Publisher(_service, o => o.MaxRetries = 3);
        await publisher.CreateVersionAsync("1", 4);
        _service.FailDocument("item-2", 503, "Service busy");

        var error = await Assert.ThrowsAsync<RequestFailedException>(() => publisher.UploadAsync("1", SearchTestBackend.RandomItems(5, 4)));

        Assert.Contains("item \"item-2\"", error.Message, StringComparison.Ordinal);
        Assert.Equal(4, _service.RequestsTo("/docs/search.index").Count());
    }

    [Fact]
    public async Task UploadAsync_IdsWithReservedCharacters_StoresEncodedKeysAndOriginalIds()
    {
        var publisher = SearchTestBackend.Publisher(_service);
        await publisher.CreateVersionAsync("1", 2);
        string[] ids = ["a/b c", "O'Reilly,2", "日本/é", "_x"];

        await publisher.UploadAsync("1", [.. ids.Select(id => new IndexedItem(id, new float[] { 1, 0 }, [], true, 1))]);

        var documents = Assert.Single(_service.RequestsTo("/docs/search.index")).Json["value"]!.AsArray().Select(d => d!.AsObject()).ToList();
        Assert.Equal(ids, documents.Select(d => d["itemId"]!.GetValue<string>()));
        Assert.All(documents, d => Assert.Matches("^[A-Za-z0-9][A-Za-z0-9_-]*$", d["id"]!.GetValue<string>()));
        Assert.All(documents, d => Assert.Equal("mergeOrUpload", d["@search.action"]!.GetValue<string>()));
    }

    [Fact]
    public async Task UploadAsync_DuplicateItemId_ThrowsBeforeSending()
    {
        var publisher = SearchTestBackend.Publisher(_service);
        var items = SearchTestBackend.RandomItems(3, 2);
        items.Add(items[1]);

        var error = await Assert.ThrowsAsync<ArgumentException>(() => publisher.UploadAsync("1", items));

        Assert.Contains("item \"item-1\" appears twice", error.Message, StringComparison.Ordinal);
        Assert.Empty(_service.RequestsTo("/docs/search.index"));
    }

    [Fact]
    public async Task CountAsync_UploadedItems_ReturnsServiceCount()
    {
        var publisher = SearchTestBackend.Publisher(_service);
        await publisher.CreateVersionAsync("3", 4);
        await publisher.UploadAsync("3", SearchTestBackend.RandomItems(42, 4));

        Assert.Equal(42, await publisher.CountAsync("3"));
        Assert.Single(_service.RequestsTo("/docs/$count"));
    }

    [Fact]
    public async Task ListVersionsAsync_IndexesOfOtherPrefixes_ListsOnlyOwnVersions()
    {
        var publisher = SearchTestBackend.Publisher(_service);
        var other = SearchTestBackend.Publisher(_service, o => o.IndexPrefix = "catalog-");
        await publisher.CreateVersionAsync("2", 4);
        await publisher.CreateVersionAsync("10", 4);
        await other.CreateVersionAsync("1", 4);

        Assert.Equal(["10", "2"], await publisher.ListVersionsAsync());
        Assert.Equal(["1"], await other.ListVersionsAsync());
    }

    [Fact]
    public async Task DeleteVersionAsync_ExistingAndMissing_ReturnsWhetherItExisted()
    {
        var publisher = SearchTestBackend.Publisher(_service);
        await publisher.CreateVersionAsync("1", 4);

        Assert.True(await publisher.DeleteVersionAsync("1"));
        Assert.False(await publisher.DeleteVersionAsync("1"));
        Assert.Empty(_service.IndexNames());
    }

    [Fact]
    public async Task OpenAsync_MissingIndex_ThrowsNamingVersionAndIndex()
    {
        var publisher = SearchTestBackend.Publisher(_service);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => publisher.OpenAsync("9"));

        Assert.Contains("\"9\"", error.Message, StringComparison.Ordinal);
        Assert.Contains("items-v9", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OpenAsync_CreatedIndex_ReturnsQueryIndexWithItsDimensions()
    {
        var publisher = SearchTestBackend.Publisher(_service);
        await publisher.CreateVersionAsync("5", 12);

        var index = Assert.IsType<AzureAISearchItemIndex>(await publisher.OpenAsync("5"));

        Assert.Equal("5", index.Version);
        Assert.Equal(12, index.Dimensions);
    }

    [Fact]
    public async Task Requests_ApiKeyConfigured_SendApiKeyHeaderOnly()
    {
        var publisher = SearchTestBackend.Publisher(_service);

        await publisher.CreateVersionAsync("1", 4);

        Assert.All(_service.Requests, r =>
        {
            Assert.Equal(SearchTestBackend.ApiKey, r.Headers["api-key"]);
            Assert.False(r.Headers.ContainsKey("authorization"));
        });
    }

    [Fact]
    public async Task Requests_NoApiKey_SendBearerTokenAndNoApiKey()
    {
        var credential = new StaticTokenCredential("token-from-managed-identity");
        var publisher = SearchTestBackend.Publisher(_service, o => o.ApiKey = null, credential);

        await publisher.CreateVersionAsync("1", 4);

        Assert.NotEmpty(_service.Requests);
        Assert.All(_service.Requests, r =>
        {
            Assert.Equal("Bearer token-from-managed-identity", r.Headers["authorization"]);
            Assert.False(r.Headers.ContainsKey("api-key"));
        });
        Assert.Contains("https://search.azure.com/.default", credential.RequestedScopes);
    }

    private sealed class StaticTokenCredential(string token) : global::Azure.Core.TokenCredential
    {
        public List<string> RequestedScopes { get; } = [];

        public override global::Azure.Core.AccessToken GetToken(global::Azure.Core.TokenRequestContext requestContext, CancellationToken cancellationToken)
        {
            RequestedScopes.AddRange(requestContext.Scopes);
            return new global::Azure.Core.AccessToken(token, DateTimeOffset.UtcNow.AddHours(1));
        }

        public override ValueTask<global::Azure.Core.AccessToken> GetTokenAsync(global::Azure.Core.TokenRequestContext requestContext, CancellationToken cancellationToken) =>
            ValueTask.FromResult(GetToken(requestContext, cancellationToken));
    }
}
