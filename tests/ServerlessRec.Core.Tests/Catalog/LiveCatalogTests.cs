using Microsoft.Extensions.Time.Testing;
using ServerlessRec.Catalog;
using ServerlessRec.Core.Tests.Serving;
using ServerlessRec.Events;
using ServerlessRec.Http;
using ServerlessRec.Onnx;
using ServerlessRec.Serving;
using ServerlessRec.Storage;

namespace ServerlessRec.Core.Tests.Catalog;

/// <summary>
/// The catalog API on the embedded index: items added or changed through <see cref="CatalogService"/> reach the live
/// model's recommendations without retraining (the delta segment), availability is exact, and other instances see the
/// updates within their refresh. Each test gets its own store with a copy of the fixture's model.
/// </summary>
public sealed class LiveCatalogTests(ServingFixture fixture) : IClassFixture<ServingFixture>, IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "srec-catalog-" + Guid.NewGuid().ToString("N"));

    private static HistoryEvent View(string item, int minute) =>
        new() { ItemId = item, Type = "view", Timestamp = TestDatasets.Start.AddDays(30).AddMinutes(minute) };

    private sealed record Instance(RecommenderService Service, CatalogService Catalog, LiveCatalog Live, UserHistoryStore Histories, FakeTimeProvider Time, IBlobStore Store);

    private async Task<LocalFolderBlobStore> StoreWithModelAsync()
    {
        var store = new LocalFolderBlobStore(new StorageOptions { LocalRoot = _root });
        if (await ModelPointer.ReadAsync(store) is { Pointer: null })
        {
            var package = await ModelPackage.ReadAsync(fixture.Store, "v1");
            await package.WriteAsync(store);
            await ModelPointer.WriteAsync(store, new ModelPointer { Version = "v1", ActivatedAt = TestDatasets.Start }, expectedETag: null);
        }

        return store;
    }

    private static Instance CreateInstance(IBlobStore store, ServingOptions? options = null, FakeTimeProvider? time = null)
    {
        time ??= new FakeTimeProvider(TestDatasets.Start.AddDays(31));
        var models = new LiveModelProvider(store, time);
        var live = new LiveCatalog(new CatalogUpdateStore(store, time), store, time);
        var histories = new UserHistoryStore(store);
        var service = new RecommenderService(models, histories, time, options: options, catalog: live);
        return new Instance(service, new CatalogService(live, models, store), live, histories, time, store);
    }

    private static PutCatalogItem Item(string id, string category, bool available = true) =>
        new() { ItemId = id, Title = $"New {id}", Categories = [category], Tags = ["tag0"], Available = available };

    private static async Task<List<string>> RecommendAsync(Instance instance, string user, int k, string? category = null, bool includeUnavailable = false) =>
        (await instance.Service.RecommendAsync(new RecommendationRequest
        {
            UserId = user,
            K = k,
            Filter = new RecommendationFilter { Categories = category is null ? null : [category], IncludeUnavailable = includeUnavailable },
        })).Items.Select(i => i.ItemId).ToList();

    [Fact]
    public async Task Recommend_ItemPutMomentsAgo_AppearsInCategoryFilteredListWithoutRetraining()
    {
        var sut = CreateInstance(await StoreWithModelAsync());
        await sut.Histories.AppendAsync("fan", [View("i1", 0), View("i2", 1), View("i3", 2)]);
        Assert.DoesNotContain("fresh-1", await RecommendAsync(sut, "fan", 10, "left"));

        await sut.Catalog.PutAsync([Item("fresh-1", "left")]);

        var response = await sut.Service.RecommendAsync(new RecommendationRequest { UserId = "fan", K = 10, Filter = new RecommendationFilter { Categories = ["left"] } });
        var fresh = Assert.Single(response.Items, i => i.ItemId == "fresh-1");
        Assert.True(fresh.Score != 0f, "the new item is scored by its item-tower vector");
    }

    [Fact]
    public async Task Recommend_NewItemOfAnotherCategory_NeverInAFilteredList()
    {
        var sut = CreateInstance(await StoreWithModelAsync());
        await sut.Histories.AppendAsync("fan", [View("i1", 0), View("i2", 1)]);

        await sut.Catalog.PutAsync([Item("fresh-right", "right")]);

        Assert.DoesNotContain("fresh-right", await RecommendAsync(sut, "fan", 40, "left"));
        Assert.Contains("fresh-right", await RecommendAsync(sut, "fan", 41));
    }

    [Fact]
    public async Task Recommend_KnownItemSetUnavailable_NeverReturnedButKeptForIncludeUnavailable()
    {
        var sut = CreateInstance(await StoreWithModelAsync());
        await sut.Histories.AppendAsync("fan", [View("i1", 0)]);
        Assert.Contains("i2", await RecommendAsync(sut, "fan", 39));

        await sut.Catalog.PutAsync([Item("i2", "left", available: false)]);

        Assert.DoesNotContain("i2", await RecommendAsync(sut, "fan", 39));
        Assert.DoesNotContain("i2", await RecommendAsync(sut, "brand-new-user", 39));
        Assert.Contains("i2", await RecommendAsync(sut, "fan", 39, includeUnavailable: true));
    }

    [Fact]
    public async Task Delete_KnownItem_NeverReturnedEvenWithIncludeUnavailable_AndSimilarIs404()
    {
        var sut = CreateInstance(await StoreWithModelAsync());
        await sut.Histories.AppendAsync("fan", [View("i1", 0)]);

        await sut.Catalog.DeleteAsync("i2");

        Assert.DoesNotContain("i2", await RecommendAsync(sut, "fan", 39, includeUnavailable: true));
        Assert.DoesNotContain("i2", (await sut.Service.SimilarAsync("i3", 39, includeUnavailable: true)).Items.Select(i => i.ItemId));
        await Assert.ThrowsAsync<NotFoundException>(() => sut.Service.SimilarAsync("i2", 5));
    }

    [Fact]
    public async Task Recommend_UpdateWrittenByAnotherInstance_SeenWithinTheRefreshInterval()
    {
        var store = await StoreWithModelAsync();
        var time = new FakeTimeProvider(TestDatasets.Start.AddDays(31));
        var reader = CreateInstance(store, time: time);
        var writer = CreateInstance(store, time: new FakeTimeProvider(TestDatasets.Start.AddDays(31)));
        await reader.Histories.AppendAsync("fan", [View("i1", 0)]);
        Assert.Contains("i2", await RecommendAsync(reader, "fan", 39));

        await writer.Catalog.PutAsync([Item("i2", "left", available: false), Item("fresh-2", "left")]);
        var beforeRefresh = await RecommendAsync(reader, "fan", 39);
        time.Advance(reader.Live.RefreshInterval);
        var afterRefresh = await RecommendAsync(reader, "fan", 40);

        Assert.Contains("i2", beforeRefresh);
        Assert.DoesNotContain("i2", afterRefresh);
        Assert.Contains("fresh-2", afterRefresh);
    }

    [Fact]
    public async Task Overlay_KnownItemWithChangedCategory_KeepsTrainedEmbeddingInTheDelta_AndUnchangedItemIsANoOp()
    {
        var store = await StoreWithModelAsync();
        var sut = CreateInstance(store);
        var model = (await new LiveModelProvider(store, TimeProvider.System).GetCurrentAsync())!;

        // i5 as trained ("left", tag2): nothing to do. i6 moved to "right": a delta row from its id embedding and new features.
        await sut.Catalog.PutAsync([new PutCatalogItem { ItemId = "i5", Categories = ["left"], Tags = ["tag2"] }, new PutCatalogItem { ItemId = "i6", Categories = ["right"], Tags = ["tag0"] }]);
        var overlay = await sut.Live.OverlayForAsync(model);

        var delta = Assert.IsType<ServerlessRec.Retrieval.EmbeddedItemIndex>(overlay.Delta);
        Assert.Equal(["i6"], delta.ItemIds);
        var coldStart = (await CatalogService.VectorsAsync(model, store, [new CatalogItem("unknown-id", null, ["right"], ["tag0"])]))[0].Vector.ToArray();
        Assert.NotEqual(coldStart, delta.VectorOf(0).ToArray());
        Assert.Contains("i6", await RecommendAsync(sut, "brand-new", 40, "right"));
        Assert.DoesNotContain("i6", await RecommendAsync(sut, "brand-new", 40, "left"));
    }

    [Theory]
    [InlineData(0.0, 0)]
    [InlineData(0.2, 2)]
    [InlineData(0.5, 5)]
    public async Task Recommend_NewItemShare_GivesExactlyThatShareOfSlotsToNewItems(double share, int expected)
    {
        var sut = CreateInstance(await StoreWithModelAsync(), new ServingOptions { NewItemShare = share });
        await sut.Histories.AppendAsync("fan", [View("i21", 0), View("i22", 1), View("i23", 2)]);
        // New "left" items for a "right" user: the ranking alone would not place them in the top 10.
        await sut.Catalog.PutAsync([.. Enumerable.Range(0, 8).Select(i => Item($"new-{i}", "left"))]);

        var response = await sut.Service.RecommendAsync(new RecommendationRequest { UserId = "fan", K = 10 });

        Assert.Equal(10, response.Items.Count);
        Assert.Equal(expected, response.Items.Count(i => i.ItemId.StartsWith("new-", StringComparison.Ordinal)));
        Assert.All(response.Items.Where(i => i.ItemId.StartsWith("new-", StringComparison.Ordinal)), i => Assert.True(i.Exploration));
    }

    [Fact]
    public async Task Recommend_NewItemOlderThanMaxAge_GetsNoReservedSlot()
    {
        var sut = CreateInstance(await StoreWithModelAsync(), new ServingOptions { NewItemShare = 0.5, NewItemMaxAge = TimeSpan.FromDays(1) });
        await sut.Histories.AppendAsync("fan", [View("i21", 0), View("i22", 1), View("i23", 2)]);
        await sut.Catalog.PutAsync([.. Enumerable.Range(0, 8).Select(i => Item($"new-{i}", "left"))]);
        sut.Time.Advance(TimeSpan.FromDays(2));

        var response = await sut.Service.RecommendAsync(new RecommendationRequest { UserId = "fan", K = 10 });

        Assert.DoesNotContain(response.Items, i => i.Exploration);
    }

    [Fact]
    public async Task Recommend_NewItemShareAndExploration_TogetherAtMostHalfTheList()
    {
        var sut = CreateInstance(await StoreWithModelAsync(), new ServingOptions { NewItemShare = 0.3 });
        await sut.Histories.AppendAsync("fan", [View("i21", 0), View("i22", 1), View("i23", 2)]);
        await sut.Catalog.PutAsync([.. Enumerable.Range(0, 8).Select(i => Item($"new-{i}", "left"))]);

        var response = await sut.Service.RecommendAsync(new RecommendationRequest { UserId = "fan", K = 10, Exploration = 0.5 });

        Assert.Equal(3, response.Items.Count(i => i.ItemId.StartsWith("new-", StringComparison.Ordinal)));
        Assert.True(response.Items.Count(i => i.Exploration) <= 5);
    }

    [Fact]
    public async Task Recommend_ListingTheUpdatesFails_KeepsServingWithTheUpdatesAlreadyRead()
    {
        var store = await StoreWithModelAsync();
        var faulty = new ServerlessRec.Core.Tests.Storage.FaultInjectingBlobStore(store);
        var sut = CreateInstance(faulty);
        await sut.Histories.AppendAsync("fan", [View("i1", 0)]);
        await sut.Catalog.PutAsync([Item("i2", "left", available: false)]);
        Assert.DoesNotContain("i2", await RecommendAsync(sut, "fan", 39));

        faulty.Fail("catalog listing down", c => c.Operation == ServerlessRec.Core.Tests.Storage.BlobOperation.List && c.Container == ContainerNames.Catalog);
        sut.Time.Advance(sut.Live.RefreshInterval);

        Assert.DoesNotContain("i2", await RecommendAsync(sut, "fan", 39));
    }

    [Fact]
    public async Task PutAsync_ConcurrentWritersOnTwoInstances_LoseNothing()
    {
        var store = await StoreWithModelAsync();
        var a = CreateInstance(store);
        var b = CreateInstance(store);

        await Task.WhenAll(Enumerable.Range(0, 40).Select(i => Task.Run(() => (i % 2 == 0 ? a : b).Catalog.PutAsync([Item($"c{i}", "left"), Item($"d{i}", "right")]))));

        var states = await CreateInstance(store).Live.ReadStatesAsync();
        Assert.Equal(80, states.Count);
    }

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }
}
