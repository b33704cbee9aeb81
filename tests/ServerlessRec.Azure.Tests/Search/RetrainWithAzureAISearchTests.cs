using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Testing;
using Microsoft.Extensions.Time.Testing;
using ServerlessRec.Catalog;
using ServerlessRec.Events;
using ServerlessRec.Pipeline;
using ServerlessRec.Retrieval;
using ServerlessRec.Serving;
using ServerlessRec.Storage;
using ServerlessRec.Tests.Durable;
using ServerlessRec.Training;

namespace ServerlessRec.Azure.Tests.Search;

/// <summary>The retraining orchestration configured for Azure AI Search, against the local fake service.</summary>
public sealed class RetrainWithAzureAISearchTests : IAsyncLifetime
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "srec-retrain-search-" + Guid.NewGuid().ToString("N"));
    private FakeSearchService _service = null!;
    private LocalFolderBlobStore _store = null!;

    public async Task InitializeAsync()
    {
        _service = await FakeSearchService.StartAsync();
        _store = new LocalFolderBlobStore(new StorageOptions { LocalRoot = _root });
        await new SyntheticLogGenerator(new SyntheticLogOptions { Users = 600, Items = 300, Events = 24_000, Seed = 5 })
            .WriteEventsAsync(new BlobStoreDestination(_store, ContainerNames.Events));
    }

    public async Task DisposeAsync()
    {
        await _service.DisposeAsync();
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    private async Task<(OrchestrationMetadata Metadata, RetrainOutcome? Outcome)> RetrainAsync(IItemIndexPublisher? publisher = null)
    {
        publisher ??= SearchTestBackend.Publisher(_service);
        var training = new TwoTowerOptions { Dimensions = 16, HiddenDimensions = 32, Epochs = 4, Patience = 2, Threads = 2, SampledNegatives = 64 };
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 3, 1, 0, 0, 0, TimeSpan.Zero));
        await using var host = await TestDurableHost.StartAsync(tasks => { var datasets = new RetrainDatasetCache(); tasks.AddRetrain(() => new RetrainActivities(_store, publisher, training, new EventTypeOptions(), time, datasets: datasets)); });
        var input = RetrainInput.From("test", new RetrainOptions { ItemsPerIndexActivity = 120, FirstRetryInterval = TimeSpan.FromMilliseconds(20), MaxAttempts = 2 }, time.GetUtcNow());
        var id = await host.Client.ScheduleNewOrchestrationInstanceAsync(RetrainOrchestration.Name, input);
        var metadata = await host.Client.WaitForInstanceCompletionAsync(id, getInputsAndOutputs: true);
        return (metadata, metadata.RuntimeStatus == OrchestrationRuntimeStatus.Completed ? metadata.ReadOutputAs<RetrainOutcome>() : null);
    }

    [Fact]
    public async Task Retrain_WithAzureAISearch_UploadsCountsThenActivates()
    {
        var (metadata, outcome) = await RetrainAsync();

        Assert.Equal(OrchestrationRuntimeStatus.Completed, metadata.RuntimeStatus);
        Assert.Equal(RunOutcome.Activated, outcome!.Outcome);
        var index = "items-v" + outcome.Version;
        Assert.Contains(index, _service.IndexNames());
        var manifest = await ServerlessRec.Onnx.ModelPackage.ReadManifestAsync(_store, outcome.Version!);
        Assert.Equal(manifest!.ItemCount, _service.DocumentCount(index));
        Assert.Contains(_service.RequestsTo("/docs/$count"), r => r.Path.Contains(index, StringComparison.Ordinal));
        Assert.Equal(outcome.Version, (await ModelPointer.ReadAsync(_store)).Pointer!.Version);

        // Serving configured for Azure AI Search loads the model without its catalog (vectors by row from local copies
        // of the blobs), queries the new version's index and ranks and explains like the embedded one.
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 3, 2, 0, 0, 0, TimeSpan.Zero));
        using var models = new LiveModelProvider(_store, time);
        using var remoteModels = new LiveModelProvider(_store, time, mode: ServingMode.RemoteIndex);
        var histories = new UserHistoryStore(_store);
        var viaSearch = new RecommenderService(remoteModels, histories, time, new PublisherIndexResolver(SearchTestBackend.Publisher(_service)));
        var embedded = new RecommenderService(models, histories, time);
        var request = new RecommendationRequest { UserId = "visitor", K = 10, Explain = true, RecentEvents = [new RequestEvent { ItemId = "i3", Type = "view" }, new RequestEvent { ItemId = "i9", Type = "like" }] };

        var searched = await viaSearch.RecommendAsync(request);
        var reference = await embedded.RecommendAsync(request);

        Assert.Equal(ServingMode.RemoteIndex, (await remoteModels.GetCurrentAsync())!.Mode);
        Assert.Equal(RecommendationSource.Request, searched.Source);
        Assert.Contains(_service.RequestsTo("/docs/search.post.search"), r => r.Path.Contains(index, StringComparison.Ordinal));
        Assert.Equal(reference.Items.Select(i => i.ItemId), searched.Items.Select(i => i.ItemId));
        Assert.Equal(reference.Items.Select(i => string.Join(",", i.Because!)), searched.Items.Select(i => string.Join(",", i.Because!)));
    }

    [Fact]
    public async Task Retrain_UploadFailingPermanently_LeavesThePreviousVersionLive()
    {
        var (_, first) = await RetrainAsync();
        Assert.Equal(RunOutcome.Activated, first!.Outcome);
        _service.FailDocument("i7", 400, "The document is malformed (simulated).");

        var (metadata, second) = await RetrainAsync();

        Assert.Equal(OrchestrationRuntimeStatus.Failed, metadata.RuntimeStatus);
        Assert.Null(second);
        Assert.Contains("IndexItems", metadata.FailureDetails!.ErrorMessage, StringComparison.Ordinal);
        Assert.Equal(first.Version, (await ModelPointer.ReadAsync(_store)).Pointer!.Version);
    }

    [Fact]
    public async Task Cleanup_KeepOneRightAfterActivation_KeepsThePreviouslyLiveIndexUntilTheGracePeriodEnds()
    {
        var publisher = SearchTestBackend.Publisher(_service);
        var activated = new DateTimeOffset(2026, 3, 1, 0, 0, 0, TimeSpan.Zero);
        foreach (var version in new[] { "v1", "v2" })
        {
            await publisher.CreateVersionAsync(version, 8);
            await _store.WriteAsync(ContainerNames.Models, $"{version}/model.json", "{}"u8.ToArray());
        }

        await ModelPointer.WriteAsync(_store, new ModelPointer { Version = "v2", ActivatedAt = activated, PreviousVersion = "v1" }, expectedETag: null);
        var time = new FakeTimeProvider(activated.AddMinutes(1));
        var activities = new RetrainActivities(_store, publisher, new TwoTowerOptions(), new EventTypeOptions(), time);

        await activities.Cleanup(new CleanupInput(KeepVersions: 1, GraceSeconds: 600));
        Assert.Contains("items-vv1", _service.IndexNames());

        time.Advance(TimeSpan.FromMinutes(10));
        await activities.Cleanup(new CleanupInput(KeepVersions: 1, GraceSeconds: 600));

        Assert.DoesNotContain("items-vv1", _service.IndexNames());
        Assert.Contains("items-vv2", _service.IndexNames());
    }

    [Fact]
    public async Task Retrain_ItemPutAfterTheCatalogRead_IsInTheNewVersionsIndexWithItsItemTowerVector()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 2, 28, 0, 0, 0, TimeSpan.Zero));
        var updates = new CatalogUpdateStore(_store, time);
        await updates.WriteAsync([new CatalogItem("early", null, ["c1"], ["t1"])]);
        time.Advance(TimeSpan.FromMinutes(1));
        var late = new CatalogItem("late", null, ["c2"], ["t2"]);

        // The PUT lands once the version's index is created: after the training read the catalog, before the activation.
        var (_, outcome) = await RetrainAsync(new WritesAnUpdateWhenTheIndexIsCreated(SearchTestBackend.Publisher(_service), updates, late));

        Assert.Equal(RunOutcome.Activated, outcome!.Outcome);
        var index = "items-v" + outcome.Version;
        using var model = await ServingModel.LoadAsync(_store, outcome.Version!);
        Assert.NotNull(model.Manifest.CatalogWatermark);
        Assert.NotEqual(0, model.IndexOf("early"));
        Assert.Equal(0, model.IndexOf("late"));
        Assert.Equal(model.Manifest.ItemCount + 1, _service.DocumentCount(index));
        var expected = (await CatalogService.VectorsAsync(model, _store, [late]))[0].Vector.ToArray();
        var stored = _service.DocumentVector(index, "late");
        Assert.NotNull(stored);
        Assert.Equal(expected, stored.Select(v => (float)v).ToArray());
    }

    /// <summary>A publisher that writes one catalog update (as a PUT on another instance would) when a version's index is created.</summary>
    private sealed class WritesAnUpdateWhenTheIndexIsCreated(IItemIndexPublisher inner, CatalogUpdateStore updates, CatalogItem item) : IItemIndexPublisher
    {
        public async Task CreateVersionAsync(string version, int dimensions, CancellationToken cancellationToken = default)
        {
            await inner.CreateVersionAsync(version, dimensions, cancellationToken);
            await updates.WriteAsync([item], cancellationToken);
        }

        public Task UploadAsync(string version, IReadOnlyList<IndexedItem> items, CancellationToken cancellationToken = default) => inner.UploadAsync(version, items, cancellationToken);

        public Task<long> CountAsync(string version, CancellationToken cancellationToken = default) => inner.CountAsync(version, cancellationToken);

        public Task<IReadOnlyList<string>> ListVersionsAsync(CancellationToken cancellationToken = default) => inner.ListVersionsAsync(cancellationToken);

        public Task<bool> DeleteVersionAsync(string version, CancellationToken cancellationToken = default) => inner.DeleteVersionAsync(version, cancellationToken);

        public Task<IItemIndex> OpenAsync(string version, CancellationToken cancellationToken = default) => inner.OpenAsync(version, cancellationToken);
    }
}
