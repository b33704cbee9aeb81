using Microsoft.Extensions.DependencyInjection;
using ServerlessRec.Core.Tests.Storage;
using ServerlessRec.Http;
using ServerlessRec.Onnx;
using ServerlessRec.Retrieval;
using ServerlessRec.Serving;
using ServerlessRec.Storage;

namespace ServerlessRec.Core.Tests.Serving;

/// <summary>
/// AI Search mode (<see cref="ServingMode.RemoteIndex"/>): the instance holds no item vectors, no index and no
/// user-tower table, and still answers exactly as the embedded mode does.
/// </summary>
public sealed class RemoteIndexServingTests(ServingFixture fixture) : IClassFixture<ServingFixture>
{
    private static readonly string[] CatalogArtefacts =
        [ModelManifest.ItemVectorsFile, ModelManifest.HistoryEmbeddingsFile, ModelManifest.ItemsFile, ModelManifest.UserTowerFile, ModelManifest.ItemTowerFile];

    [Fact]
    public async Task LoadAsync_RemoteIndexMode_ReadsNoCatalogArtefactIntoMemory()
    {
        var store = new FaultInjectingBlobStore(fixture.Store);
        var wholeReads = store.Count("whole reads of catalog artefacts", c => c.Operation == BlobOperation.Read && CatalogArtefacts.Any(a => c.Name.EndsWith(a, StringComparison.Ordinal)));
        var streamed = store.Count("streamed artefacts", c => c.Operation == BlobOperation.OpenRead);

        using var model = await ServingModel.LoadAsync(store, "v1", ServingMode.RemoteIndex);

        Assert.Equal(ServingMode.RemoteIndex, model.Mode);
        Assert.Equal(0, wholeReads.Matched);
        Assert.Equal(3, streamed.Matched);
        Assert.Null(model.SearchIndex);
        Assert.Throws<InvalidOperationException>(() => model.Index);
        Assert.Throws<InvalidOperationException>(() => model.Items);
        Assert.Equal(fixture.Data.ItemCount, model.ItemCount);
    }

    [Fact]
    public async Task LoadAsync_EmbeddedMode_ReadsTheCatalogWhole()
    {
        var store = new FaultInjectingBlobStore(fixture.Store);
        var wholeReads = store.Count("whole reads of catalog artefacts", c => c.Operation == BlobOperation.Read && CatalogArtefacts.Any(a => c.Name.EndsWith(a, StringComparison.Ordinal)));

        using var model = await ServingModel.LoadAsync(store, "v1", ServingMode.Embedded);

        Assert.NotNull(model.SearchIndex);
        Assert.Equal(CatalogArtefacts.Length, wholeReads.Matched);
    }

    [Fact]
    public async Task LoadAsync_RemoteIndexModeAndTamperedVectors_RefusesAndLeavesNoFiles()
    {
        var root = Path.Combine(Path.GetTempPath(), "srec-remote-tamper-" + Guid.NewGuid().ToString("N"));
        try
        {
            var store = new LocalFolderBlobStore(new StorageOptions { LocalRoot = root });
            var package = await ModelPackage.ReadAsync(fixture.Store, "v1");
            await package.WriteAsync(store);
            var vectors = package.Artifact(ModelManifest.HistoryEmbeddingsFile).ToArray();
            vectors[^1] ^= 0x40;
            await store.WriteAsync(ContainerNames.Models, ModelPackage.BlobName("v1", ModelManifest.HistoryEmbeddingsFile), vectors);
            var folders = ServingFolders();

            var error = await Assert.ThrowsAsync<ModelIntegrityException>(() => ServingModel.LoadAsync(store, "v1", ServingMode.RemoteIndex));

            Assert.Contains(ModelManifest.HistoryEmbeddingsFile, error.Message, StringComparison.Ordinal);
            Assert.Equal(folders, ServingFolders());
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public async Task Dispose_RemoteIndexMode_RemovesTheLocalCopies()
    {
        var before = ServingFolders();
        var model = await ServingModel.LoadAsync(fixture.Store, "v1", ServingMode.RemoteIndex);
        var during = ServingFolders();

        model.Dispose();

        Assert.Single(during.Except(before));
        Assert.Equal(before, ServingFolders());
    }

    [Fact]
    public async Task IndexOfAndPopularity_RemoteIndexMode_MatchEmbedded()
    {
        using var embedded = await ServingModel.LoadAsync(fixture.Store, "v1", ServingMode.Embedded);
        using var remote = await ServingModel.LoadAsync(fixture.Store, "v1", ServingMode.RemoteIndex);
        var vector = new float[embedded.Manifest.Dimensions];

        foreach (var item in embedded.Items)
        {
            Assert.Equal(item.Index, remote.IndexOf(item.ItemId));
            Assert.Equal(item.Popularity, remote.PopularityOf(item.Index));
            remote.ReadVector(item.Index, vector);
            Assert.Equal(embedded.VectorOf(item.Index).ToArray(), vector);
        }

        Assert.Equal(0, remote.IndexOf("not-an-item"));
        Assert.Equal(embedded.LowerQuartilePopularity, remote.LowerQuartilePopularity);
        var filter = new ItemFilter { ExcludedItemIds = new HashSet<string>(StringComparer.Ordinal) { embedded.Items[0].ItemId } };
        Assert.Equal(embedded.MostPopular(7, filter), remote.MostPopular(7, filter));
    }

    [Theory]
    [InlineData(0.0, 0.0)]
    [InlineData(0.5, 0.0)]
    [InlineData(0.0, 0.3)]
    public async Task Recommend_RemoteIndexMode_MatchesTheEmbeddedRanking(double diversity, double exploration)
    {
        using var remoteIndexModel = await ServingModel.LoadAsync(fixture.Store, "v1");
        var (embedded, histories) = CreateSut(ServingMode.Embedded, EmbeddedIndexResolver.Instance);
        var (remote, _) = CreateSut(ServingMode.RemoteIndex, new RemoteResolver(remoteIndexModel.SearchIndex!));
        await histories.AppendAsync("remote-mode-user", History());
        var request = new RecommendationRequest { UserId = "remote-mode-user", K = 6, Explain = true, Diversity = diversity, Exploration = exploration };

        var expected = await embedded.RecommendAsync(request);
        var actual = await remote.RecommendAsync(request);

        Assert.Equal(RecommendationSource.History, actual.Source);
        Assert.Equal(expected.Items.Select(i => i.ItemId), actual.Items.Select(i => i.ItemId));
        Assert.Equal(expected.Items.Select(i => i.Score), actual.Items.Select(i => i.Score), (a, b) => Math.Abs(a - b) <= 1e-5f);
        Assert.Equal(expected.Items.Select(i => string.Join(",", i.Because ?? [])), actual.Items.Select(i => string.Join(",", i.Because ?? [])));
        Assert.Equal(expected.Items.Select(i => i.Exploration), actual.Items.Select(i => i.Exploration));
    }

    [Fact]
    public async Task UserVector_RemoteIndexMode_EqualsTheWholeTowersVector()
    {
        var (embedded, histories) = CreateSut(ServingMode.Embedded, EmbeddedIndexResolver.Instance);
        var (remote, _) = CreateSut(ServingMode.RemoteIndex, new RemoteResolver(null));
        await histories.AppendAsync("remote-vector-user", History());

        var expected = await embedded.UserVectorAsync("remote-vector-user");
        var actual = await remote.UserVectorAsync("remote-vector-user");

        Assert.Equal(expected.HistoryLength, actual.HistoryLength);
        Assert.Equal(expected.Vector!, actual.Vector!, (a, b) => Math.Abs(a - b) <= 1e-5f);
    }

    [Fact]
    public async Task Recommend_RemoteIndexModeSearchFails_AnswersThePopularItemsAsFallback()
    {
        var (embedded, histories) = CreateSut(ServingMode.Embedded, EmbeddedIndexResolver.Instance);
        var (remote, _) = CreateSut(ServingMode.RemoteIndex, new RemoteResolver(new FailingIndex()));
        await histories.AppendAsync("remote-fallback-user", History());
        using var model = await ServingModel.LoadAsync(fixture.Store, "v1");
        var seen = new HashSet<string>(History().Select(h => h.ItemId), StringComparer.Ordinal);

        var response = await remote.RecommendAsync(new RecommendationRequest { UserId = "remote-fallback-user", K = 5 });

        Assert.Equal(RecommendationSource.Fallback, response.Source);
        Assert.Equal(model.MostPopular(5, new ItemFilter { ExcludedItemIds = seen }).Select(p => p.ItemId), response.Items.Select(i => i.ItemId));
        Assert.Contains("answering from popular items", Assert.Single(remote.Health.DegradedReasons()), StringComparison.Ordinal);
        Assert.NotEqual(RecommendationSource.Fallback, (await embedded.RecommendAsync(new RecommendationRequest { UserId = "remote-fallback-user", K = 5 })).Source);
    }

    [Fact]
    public async Task Similar_RemoteIndexMode_MatchesEmbedded()
    {
        using var remoteIndexModel = await ServingModel.LoadAsync(fixture.Store, "v1");
        var (embedded, _) = CreateSut(ServingMode.Embedded, EmbeddedIndexResolver.Instance);
        var (remote, _) = CreateSut(ServingMode.RemoteIndex, new RemoteResolver(remoteIndexModel.SearchIndex!));

        var expected = await embedded.SimilarAsync("i3", 5);
        var actual = await remote.SimilarAsync("i3", 5);

        Assert.Equal(RecommendationSource.Item, actual.Source);
        Assert.Equal(expected.Items.Select(i => i.ItemId), actual.Items.Select(i => i.ItemId));
    }

    [Fact]
    public async Task AddServingEndpoints_RemoteResolver_LoadsModelsWithoutTheCatalog()
    {
        var services = new ServiceCollection().AddLogging();
        services.AddSingleton<IBlobStore>(fixture.Store);
        services.AddSingleton<IServingIndexResolver>(new RemoteResolver(null));
        services.AddServingEndpoints("test-instance");
        using var provider = services.BuildServiceProvider();

        var model = await provider.GetRequiredService<ILiveModelSource>().GetCurrentAsync();

        Assert.Equal(ServingMode.RemoteIndex, model!.Mode);
    }

    private static HashSet<string> ServingFolders()
    {
        var root = Path.Combine(Path.GetTempPath(), "serverlessrec-serving");
        return Directory.Exists(root) ? [.. Directory.GetDirectories(root).Where(d => Path.GetFileName(d).StartsWith("v1-", StringComparison.Ordinal))] : [];
    }

    private static List<HistoryEvent> History() =>
    [
        new() { ItemId = "i1", Type = "like", Timestamp = TestDatasets.Start.AddDays(30) },
        new() { ItemId = "i2", Type = "view", Timestamp = TestDatasets.Start.AddDays(30).AddMinutes(1) },
        new() { ItemId = "i5", Type = "click", Timestamp = TestDatasets.Start.AddDays(30).AddMinutes(2) },
    ];

    private (RecommenderService Service, UserHistoryStore Histories) CreateSut(ServingMode mode, IServingIndexResolver resolver)
    {
        var histories = new UserHistoryStore(fixture.Store);
        var models = new LiveModelProvider(fixture.Store, TimeProvider.System, mode: mode);
        return (new RecommenderService(models, histories, TimeProvider.System, resolver, new ServingOptions { SearchTimeout = TimeSpan.FromMilliseconds(500) }), histories);
    }

    /// <summary>Stands in for the Azure AI Search resolver: serves the same version's vectors from another process's point of view.</summary>
    private sealed class RemoteResolver(IItemIndex? index) : IServingIndexResolver
    {
        public ValueTask<IItemIndex> ResolveAsync(ServingModel model, CancellationToken cancellationToken = default) =>
            index is null ? ValueTask.FromException<IItemIndex>(new HttpRequestException("connection refused")) : ValueTask.FromResult(index);
    }

    private sealed class FailingIndex : IItemIndex
    {
        public string Version => "v1";

        public ValueTask<IReadOnlyList<ScoredItem>> SearchAsync(ReadOnlyMemory<float> query, int k, ItemFilter filter, CancellationToken cancellationToken = default) =>
            ValueTask.FromException<IReadOnlyList<ScoredItem>>(new InvalidOperationException("503 from the search service"));
    }
}
