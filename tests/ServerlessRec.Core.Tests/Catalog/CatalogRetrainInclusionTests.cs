using ServerlessRec.Catalog;
using ServerlessRec.Events;
using ServerlessRec.Pipeline;
using ServerlessRec.Storage;

namespace ServerlessRec.Core.Tests.Catalog;

/// <summary>What the retraining's dataset load (<see cref="RetrainActivities"/>) reads of the catalog: the catalog blob, then every API update.</summary>
public sealed class CatalogRetrainInclusionTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "srec-catalog-retrain-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task AddCatalogUpdatesFromStore_ApiItemsAndDeletes_AreInTheDatasetAfterTheCatalogBlob()
    {
        var store = new LocalFolderBlobStore(new StorageOptions { LocalRoot = _root });
        using (var items = new MemoryStream())
        {
            await CatalogFileWriter.WriteAsync(items, [new CatalogItem("old", null, ["a"], []), new CatalogItem("gone", null, ["a"], [])]);
            await store.WriteAsync(ContainerNames.Catalog, SyntheticLogGenerator.CatalogBlobName, items.ToArray());
        }

        var updates = new CatalogUpdateStore(store, TimeProvider.System);
        await updates.WriteAsync([new CatalogItem("api-new", "New", ["b"], ["t"]), new CatalogItem("old", null, ["c"], [], Available: false)]);
        await updates.WriteAsync([new CatalogItem("gone", null, [], [], Available: false) { Deleted = true }]);

        var loader = new DatasetLoader(new EventTypeOptions(), 64);
        await loader.AddCatalogFromStoreAsync(store);
        var read = await loader.AddCatalogUpdatesFromStoreAsync(store);
        var data = loader.Build();

        Assert.Equal(2, read);
        var ids = Enumerable.Range(1, data.ItemCount).ToDictionary(i => data.ItemIds[i], i => i);
        Assert.Contains("api-new", ids.Keys);
        Assert.Equal(["b"], data.ItemCategories[ids["api-new"]]);
        Assert.Equal(["c"], data.ItemCategories[ids["old"]]);
        Assert.False(data.ItemAvailable[ids["old"]]);
        Assert.False(data.ItemAvailable[ids["gone"]]);
        Assert.Equal(["a"], data.ItemCategories[ids["gone"]]);
    }

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }
}
