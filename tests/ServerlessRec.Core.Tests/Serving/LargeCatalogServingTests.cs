using ServerlessRec.Events;
using ServerlessRec.Onnx;
using ServerlessRec.Retrieval;
using ServerlessRec.Serving;
using ServerlessRec.Storage;
using ServerlessRec.Training;

namespace ServerlessRec.Core.Tests.Serving;

public sealed class LargeCatalogServingTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "srec-large-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    [Fact]
    public async Task ServingModel_CatalogAtTheCompressionThreshold_SearchesTheInt8IndexWithTheExactTopK()
    {
        var store = new LocalFolderBlobStore(new StorageOptions { LocalRoot = _root });
        var options = new TwoTowerOptions { Dimensions = 16, HiddenDimensions = 16, HistoryLength = 10 };
        var builder = new InteractionDatasetBuilder(new EventTypeOptions(), options.FeatureBuckets);
        for (var i = 0; i < ServingModel.CompressedFromItems; i++)
        {
            builder.AddItemFeatures($"i{i}", [$"c{i % 50}"]);
        }

        for (var e = 0; e < 5; e++)
        {
            builder.Add(new InteractionEvent("u1", $"i{e}", "view", TestDatasets.Start.AddMinutes(e)));
        }

        var data = builder.Build();
        var model = new TwoTowerModel(data.ItemCount, data.FeatureBuckets, options.Dimensions, options.HiddenDimensions, seed: 3);
        // No IVF lists: this test is about the exhaustive int8 path.
        await ModelExporter.Export(model, data, options, new EventTypeOptions(), "big", TestDatasets.Start, ivfFromItems: int.MaxValue).WriteAsync(store);

        using var serving = await ServingModel.LoadAsync(store, "big");

        var compressed = Assert.IsType<QuantizedItemIndex>(serving.SearchIndex);
        Assert.Same(serving.Index, compressed.Exact);
        Assert.Equal(8, compressed.Bits);
        var random = new Random(4);
        for (var q = 0; q < 5; q++)
        {
            var query = serving.Index.VectorOf(random.Next(serving.Index.Count)).ToArray();
            var filter = new ItemFilter { Categories = ["c7", "c8"] };
            var expected = serving.Index.Search(query, 10, filter);
            var found = await serving.SearchIndex.SearchAsync(query, 10, filter);
            Assert.Equal(expected.Select(r => r.ItemId), found.Select(r => r.ItemId));
        }
    }

    [Theory]
    [InlineData(ServingModel.CompressedFromItems - 1, 0)]
    [InlineData(ServingModel.CompressedFromItems, 8)]
    [InlineData(ServingModel.Int4FromItems - 1, 8)]
    [InlineData(ServingModel.Int4FromItems, 4)]
    public void SearchIndexFor_CatalogSize_PicksExactInt8OrInt4(int items, int bits)
    {
        var vector = new float[8];
        vector[0] = 1f;
        var index = new EmbeddedItemIndex("v1", 8, Enumerable.Range(0, items).Select(i => new IndexedItem($"i{i}", vector, [], true, 0)).ToArray());

        var search = ServingModel.SearchIndexFor(index);

        if (bits == 0)
        {
            Assert.Same(index, search);
        }
        else
        {
            Assert.Equal(bits, Assert.IsType<QuantizedItemIndex>(search).Bits);
        }
    }

    [Theory]
    [InlineData(1_001, false)]
    [InlineData(1_000, true)]
    public void SearchIndexFor_QuantiserAndCatalogSize_PicksIvfFromTheConfiguredThreshold(int threshold, bool ivf)
    {
        var index = ClusteredIndex(1_000);
        var quantiser = IvfQuantiser.Train(index);

        var search = ServingModel.SearchIndexFor(index, quantiser, ivfFromItems: threshold);

        Assert.Equal(ivf, search is IvfItemIndex);
        Assert.IsNotType<IvfItemIndex>(ServingModel.SearchIndexFor(index, quantiser: null, ivfFromItems: threshold));
    }

    [Fact]
    public void SearchIndexFor_VectorsWithoutStructure_ScansExhaustivelyInsteadOfProbingMostLists()
    {
        var random = new Random(5);
        var index = new EmbeddedItemIndex("v1", 32, Enumerable.Range(0, 2_000).Select(i => new IndexedItem($"i{i}", Enumerable.Range(0, 32).Select(_ => random.NextSingle() - 0.5f).ToArray(), [], true, 0)).ToArray());
        var quantiser = IvfQuantiser.Train(index);
        Assert.True(quantiser.Nprobe > quantiser.ListCount * ServingModel.MaxIvfProbeShare, $"nprobe {quantiser.Nprobe} of {quantiser.ListCount}");

        Assert.IsNotType<IvfItemIndex>(ServingModel.SearchIndexFor(index, quantiser, ivfFromItems: 2_000));
        Assert.True(ClusteredQuantiserProbesFewLists());
    }

    private static bool ClusteredQuantiserProbesFewLists()
    {
        var quantiser = IvfQuantiser.Train(ClusteredIndex(1_000));
        return quantiser.Nprobe <= quantiser.ListCount * ServingModel.MaxIvfProbeShare;
    }

    /// <summary>Items around 40 well-separated directions, as a trained item tower places them (unlike random vectors).</summary>
    private static EmbeddedItemIndex ClusteredIndex(int count)
    {
        var random = new Random(5);
        var centres = Enumerable.Range(0, 40).Select(_ => Enumerable.Range(0, 8).Select(_ => (random.NextSingle() - 0.5f) * 4).ToArray()).ToArray();
        return new EmbeddedItemIndex("v1", 8, Enumerable.Range(0, count).Select(i => new IndexedItem($"i{i}", centres[i % centres.Length].Select(c => c + ((random.NextSingle() - 0.5f) * 0.1f)).ToArray(), [], true, 0)).ToArray());
    }

    [Fact]
    public async Task LiveModelProvider_ExportedIvfQuantiserAboveTheThreshold_ServesThroughItsLists()
    {
        var store = new LocalFolderBlobStore(new StorageOptions { LocalRoot = _root });
        var options = new TwoTowerOptions { Dimensions = 16, HiddenDimensions = 16, HistoryLength = 10 };
        var builder = new InteractionDatasetBuilder(new EventTypeOptions(), options.FeatureBuckets);
        for (var i = 0; i < 1_200; i++)
        {
            builder.AddItemFeatures($"i{i}", [$"c{i % 50}"]);
        }

        for (var u = 0; u < 30; u++)
        {
            for (var e = 0; e < 5; e++)
            {
                builder.Add(new InteractionEvent($"u{u}", $"i{(u * 37) + e}", "view", TestDatasets.Start.AddMinutes((u * 10) + e)));
            }
        }

        var data = builder.Build();
        var model = new TwoTowerModel(data.ItemCount, data.FeatureBuckets, options.Dimensions, options.HiddenDimensions, seed: 3);
        // Without id embeddings each item is its categories' vector: 50 tight groups, as a trained tower makes them, so the
        // calibrated nprobe covers few lists (an untrained model's random vectors would be served exhaustively).
        Array.Clear(model.ItemEmbeddings);
        var package = ModelExporter.Export(model, data, options, new EventTypeOptions(), "ivf", TestDatasets.Start, ivfFromItems: 1_000);
        await package.WriteAsync(store);
        await ModelPointer.WriteAsync(store, new ModelPointer { Version = "ivf", ActivatedAt = TestDatasets.Start }, expectedETag: null);

        Assert.True(package.Manifest.Artifacts.ContainsKey(ModelManifest.IvfFile));
        var stored = IvfQuantiser.Read(package.Artifact(ModelManifest.IvfFile), 1_200, 16);
        using var below = new LiveModelProvider(store, TimeProvider.System, ivfFromItems: 1_201);
        Assert.IsNotType<IvfItemIndex>((await below.GetCurrentAsync())!.SearchIndex);
        using var above = new LiveModelProvider(store, TimeProvider.System, ivfFromItems: 1_200);
        var serving = (await above.GetCurrentAsync())!;
        var ivf = Assert.IsType<IvfItemIndex>(serving.SearchIndex);
        Assert.Same(serving.Index, ivf.Exact);
        Assert.Equal(stored.Nprobe, ivf.Nprobe);
        Assert.Equal(stored.ListCount, ivf.ListCount);
        var query = serving.Index.VectorOf(17).ToArray();
        var found = await ivf.SearchAsync(query, 10, new ItemFilter { Categories = ["c17", "c18"] });
        Assert.Equal(serving.Index.Search(query, 10, new ItemFilter { Categories = ["c17", "c18"] }).Select(r => r.ItemId), found.Select(r => r.ItemId));
    }
}
