using System.Runtime.InteropServices;
using Azure.Core;
using Microsoft.Extensions.Time.Testing;
using ServerlessRec.Azure.Search;
using ServerlessRec.Events;
using ServerlessRec.Onnx;
using ServerlessRec.Pipeline;
using ServerlessRec.Retrieval;
using ServerlessRec.Serving;
using ServerlessRec.Storage;
using ServerlessRec.Training;

namespace ServerlessRec.Azure.Tests.Search;

/// <summary>
/// The rollback check of a version's Azure AI Search index, against the local fake service: a version goes live again
/// only when its index exists and holds every item.
/// </summary>
public sealed class AzureAISearchIndexVerifierTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private readonly string _root = Path.Combine(Path.GetTempPath(), "srec-verify-search-" + Guid.NewGuid().ToString("N"));
    private FakeSearchService _service = null!;
    private LocalFolderBlobStore _store = null!;

    public async Task InitializeAsync()
    {
        _service = await FakeSearchService.StartAsync();
        _store = new LocalFolderBlobStore(new StorageOptions { LocalRoot = _root });
    }

    public async Task DisposeAsync()
    {
        await _service.DisposeAsync();
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    [Fact]
    public async Task FindProblem_CompleteIndex_ReturnsNull()
    {
        var package = await PublishAsync("v1", indexedItems: int.MaxValue);

        Assert.Null(await CreateSut().FindProblemAsync(package.Manifest));
        Assert.Contains(_service.Requests, r => r.Method == "GET" && r.Path == "/indexes('items-vv1')/docs/$count");
    }

    [Fact]
    public async Task FindProblem_NoIndex_SaysItDoesNotExist()
    {
        var package = await PublishAsync("v1", indexedItems: 0);

        var problem = await CreateSut().FindProblemAsync(package.Manifest);

        Assert.Equal("its Azure AI Search index \"items-vv1\" does not exist (deleted by cleanup, or never built)", problem);
    }

    [Fact]
    public async Task FindProblem_IndexMissingItems_SaysHowManyItHolds()
    {
        var package = await PublishAsync("v1", indexedItems: 5);

        var problem = await CreateSut().FindProblemAsync(package.Manifest);

        Assert.Equal($"its Azure AI Search index \"items-vv1\" holds 5 documents, the version has {package.Manifest.ItemCount} items: the index is incomplete", problem);
    }

    [Fact]
    public async Task Activate_WithAzureAISearch_MissingIndexIsRefusedAndCompleteIndexGoesLive()
    {
        await PublishAsync("v1", indexedItems: int.MaxValue);
        await ModelActivation.ActivateAsync(_store, "v1", Start);
        await PublishAsync("v2", indexedItems: int.MaxValue);
        await ModelActivation.ActivateAsync(_store, "v2", Start.AddDays(1));
        await PublishAsync("v0", indexedItems: 0);
        var administration = new ModelAdministration(_store, CreateSut(), new FakeTimeProvider(Start.AddDays(2)));

        var refused = await Assert.ThrowsAsync<ModelActivationRefusedException>(() => administration.ActivateAsync("v0", "ops", "test"));
        Assert.Contains("\"items-vv0\" does not exist", refused.Message, StringComparison.Ordinal);
        Assert.Equal("v2", (await ModelPointer.ReadAsync(_store)).Pointer!.Version);

        var result = await administration.ActivateAsync("v1", "ops", "test");
        Assert.True(result.Changed);
        Assert.Equal("v1", (await ModelPointer.ReadAsync(_store)).Pointer!.Version);
    }

    private AzureAISearchIndexVerifier CreateSut() =>
        SearchIndexBackendFactory.CreateIndexVerifier(
            SearchTestBackend.Options(_service),
            configureClient: client => client.AddPolicy(new HttpsToHttpPolicy(), HttpPipelinePosition.BeforeTransport));

    /// <summary>Writes a small model version to the store and uploads its first <paramref name="indexedItems"/> items to its index (none: no index).</summary>
    private async Task<ModelPackage> PublishAsync(string version, int indexedItems)
    {
        var builder = new InteractionDatasetBuilder(new EventTypeOptions(), 16);
        for (var u = 0; u < 20; u++)
        {
            for (var e = 0; e < 8; e++)
            {
                builder.Add(new InteractionEvent($"u{u}", $"i{(u + e) % 12}", "view", Start.AddMinutes((e * 10) + u)));
            }
        }

        var data = builder.Build();
        var options = new TwoTowerOptions { Dimensions = 8, HiddenDimensions = 8, HistoryLength = 8, BatchSize = 16, Epochs = 1, Threads = 1, SampledNegatives = 4 };
        var model = new TwoTowerTrainer(options).Train(data, Enumerable.Range(0, data.UserCount).Select(u => data.UserOffsets[u + 1] - data.UserOffsets[u]).ToArray()).Model;
        var package = ModelExporter.Export(model, data, options, new EventTypeOptions(), version, Start);
        await package.WriteAsync(_store);
        if (indexedItems > 0)
        {
            var publisher = SearchTestBackend.Publisher(_service);
            await publisher.CreateVersionAsync(version, options.Dimensions);
            var vectors = MemoryMarshal.Cast<byte, float>(package.Artifact(ModelManifest.ItemVectorsFile)).ToArray();
            var items = ModelExporter.ReadItems(package.Artifact(ModelManifest.ItemsFile))
                .Take(indexedItems)
                .Select(i => new IndexedItem(i.ItemId, vectors.AsMemory((i.Index - 1) * options.Dimensions, options.Dimensions), i.Categories, i.Available, i.Popularity))
                .ToList();
            await publisher.UploadAsync(version, items);
        }

        return package;
    }
}
