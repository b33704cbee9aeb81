using Microsoft.Extensions.Time.Testing;
using ServerlessRec.Catalog;
using ServerlessRec.Events;
using ServerlessRec.Http;
using ServerlessRec.Onnx;
using ServerlessRec.Retrieval;
using ServerlessRec.Serving;
using ServerlessRec.Storage;
using ServerlessRec.Training;

namespace ServerlessRec.Azure.Tests.Search;

/// <summary>
/// The catalog API with Azure AI Search serving (the fake service, through the real SDK backend): a PUT merges the new
/// items' item-tower vectors into the live version's index (mergeOrUpload), category-filtered recommendations from the
/// remote index show them at once, and an item set unavailable is never returned.
/// </summary>
public sealed class CatalogWithAzureAISearchTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private readonly string _root = Path.Combine(Path.GetTempPath(), "srec-catalog-search-" + Guid.NewGuid().ToString("N"));
    private FakeSearchService _service = null!;
    private LocalFolderBlobStore _store = null!;

    public async Task InitializeAsync()
    {
        _service = await FakeSearchService.StartAsync();
        _store = new LocalFolderBlobStore(new StorageOptions { LocalRoot = _root });
        var builder = new InteractionDatasetBuilder(new EventTypeOptions(), 16);
        for (var i = 0; i < 40; i++)
        {
            builder.AddItemFeatures($"i{i}", [i < 20 ? "left" : "right"], [$"tag{i % 3}"]);
        }

        var random = new Random(21);
        for (var u = 0; u < 120; u++)
        {
            for (var e = 0; e < 20; e++)
            {
                var item = ((u % 2) * 20) + random.Next(20);
                builder.Add(new InteractionEvent($"u{u}", $"i{item}", "view", Start.AddMinutes((e * 10.0) + (u * 0.01))));
            }
        }

        var data = builder.Build();
        var options = new TwoTowerOptions { Dimensions = 16, HiddenDimensions = 16, HistoryLength = 20, BatchSize = 32, Epochs = 4, Threads = 2, SampledNegatives = 16 };
        var perUser = Enumerable.Range(0, data.UserCount).Select(u => data.UserOffsets[u + 1] - data.UserOffsets[u]).ToArray();
        var model = new TwoTowerTrainer(options).Train(data, perUser).Model;
        var package = ModelExporter.Export(model, data, options, new EventTypeOptions(), "v1", Start);
        await package.WriteAsync(_store);
        await ModelPointer.WriteAsync(_store, new ModelPointer { Version = "v1", ActivatedAt = Start }, expectedETag: null);

        // The version's index as the retraining's IndexItems step fills it.
        using var embedded = ServingModel.FromPackage(package);
        var publisher = SearchTestBackend.Publisher(_service);
        await publisher.CreateVersionAsync("v1", 16);
        await publisher.UploadAsync("v1", embedded.Items.Select(i => new IndexedItem(i.ItemId, embedded.VectorOf(i.Index).ToArray(), i.Categories, i.Available, i.Popularity)).ToList());
    }

    public async Task DisposeAsync()
    {
        await _service.DisposeAsync();
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    private (RecommenderService Service, CatalogService Catalog, UserHistoryStore Histories, LiveModelProvider Models) CreateInstance()
    {
        var time = new FakeTimeProvider(Start.AddDays(31));
        var publisher = SearchTestBackend.Publisher(_service);
        var models = new LiveModelProvider(_store, time, mode: ServingMode.RemoteIndex);
        var live = new LiveCatalog(new CatalogUpdateStore(_store, time), _store, time);
        var histories = new UserHistoryStore(_store);
        var service = new RecommenderService(models, histories, time, new PublisherIndexResolver(publisher), new ServingOptions { NewItemShare = 0 }, catalog: live);
        return (service, new CatalogService(live, models, _store, publisher), histories, models);
    }

    private static async Task<List<string>> RecommendAsync(RecommenderService service, string user, int k, string? category = null)
    {
        var response = await service.RecommendAsync(new RecommendationRequest { UserId = user, K = k, Filter = new RecommendationFilter { Categories = category is null ? null : [category] } });
        Assert.Equal(RecommendationSource.History, response.Source);
        return response.Items.Select(i => i.ItemId).ToList();
    }

    [Fact]
    public async Task PutItems_AzureAISearch_MergesItemTowerVectorsIntoTheLiveIndex_AndTheItemIsRecommendedAtOnce()
    {
        var (service, catalog, histories, models) = CreateInstance();
        await histories.AppendAsync("fan", [new HistoryEvent { ItemId = "i1", Type = "view", Timestamp = Start.AddDays(30) }]);
        Assert.DoesNotContain("fresh", await RecommendAsync(service, "fan", 30, "left"));
        var before = _service.RequestsTo("/docs/search.index").Count();

        var response = await catalog.PutAsync([new PutCatalogItem { ItemId = "fresh", Categories = ["left"], Tags = ["tag1"] }]);

        Assert.Equal(1, response.Indexed);
        var merge = Assert.Single(_service.RequestsTo("/docs/search.index").Skip(before));
        Assert.Contains("items-vv1", merge.Path, StringComparison.Ordinal);
        var document = Assert.Single(merge.Json["value"]!.AsArray())!.AsObject();
        Assert.Equal("mergeOrUpload", document["@search.action"]!.GetValue<string>());
        Assert.Equal("fresh", document["itemId"]!.GetValue<string>());
        var model = (await models.GetCurrentAsync())!;
        var expected = (await CatalogService.VectorsAsync(model, _store, [new CatalogItem("fresh", null, ["left"], ["tag1"])]))[0].Vector.ToArray();
        Assert.Equal(expected, document["embedding"]!.AsArray().Select(v => v!.GetValue<float>()).ToArray());
        Assert.Equal(41, _service.DocumentCount("items-vv1"));

        Assert.Contains("fresh", await RecommendAsync(service, "fan", 30, "left"));
        Assert.DoesNotContain("fresh", await RecommendAsync(service, "fan", 30, "right"));
    }

    [Fact]
    public async Task PutItems_AzureAISearch_ItemSetUnavailableOrDeleted_NeverReturned()
    {
        var (service, catalog, histories, _) = CreateInstance();
        await histories.AppendAsync("fan", [new HistoryEvent { ItemId = "i1", Type = "view", Timestamp = Start.AddDays(30) }]);
        Assert.Contains("i2", await RecommendAsync(service, "fan", 39));
        Assert.Contains("i3", await RecommendAsync(service, "fan", 39));

        await catalog.PutAsync([new PutCatalogItem { ItemId = "i2", Categories = ["left"], Tags = ["tag2"], Available = false }]);
        await catalog.DeleteAsync("i3");

        var after = await RecommendAsync(service, "fan", 39);
        Assert.DoesNotContain("i2", after);
        Assert.DoesNotContain("i3", after);
    }

    [Fact]
    public async Task Similar_ItemPutAfterTraining_AzureAISearch_QueriesWithItsItemTowerVector()
    {
        var (service, catalog, _, models) = CreateInstance();
        await catalog.PutAsync([new PutCatalogItem { ItemId = "fresh", Categories = ["left"], Tags = ["tag1"] }]);
        var before = _service.RequestsTo("/docs/search.post.search").Count();

        var response = await service.SimilarAsync("fresh", 5);

        Assert.Equal(RecommendationSource.Item, response.Source);
        Assert.Equal(5, response.Items.Count);
        Assert.DoesNotContain(response.Items, i => i.ItemId == "fresh");
        var search = Assert.Single(_service.RequestsTo("/docs/search.post.search").Skip(before));
        var query = search.Json["vectorQueries"]![0]!["vector"]!.AsArray().Select(v => v!.GetValue<float>()).ToArray();
        var model = (await models.GetCurrentAsync())!;
        var expected = (await CatalogService.VectorsAsync(model, _store, [new CatalogItem("fresh", null, ["left"], ["tag1"])]))[0].Vector.ToArray();
        Assert.Equal(expected, query);
    }

    [Fact]
    public async Task ImportAsync_AzureAISearch_MergesTheItemsIntoTheLiveIndexLikePut()
    {
        var (_, catalog, _, _) = CreateInstance();

        var written = await catalog.ImportAsync([new CatalogItem("imported", null, ["right"], ["tag2"]), new CatalogItem("gone", null, [], []) { Deleted = true }]);

        Assert.Equal(2, written);
        Assert.Equal(41, _service.DocumentCount("items-vv1"));
        Assert.NotNull(_service.DocumentVector("items-vv1", "imported"));
    }
}
