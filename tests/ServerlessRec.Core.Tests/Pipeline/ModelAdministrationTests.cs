using System.Runtime.CompilerServices;
using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using ServerlessRec.Core.Tests.Diagnostics;
using ServerlessRec.Core.Tests.Onnx;
using ServerlessRec.Diagnostics;
using ServerlessRec.Events;
using ServerlessRec.Onnx;
using ServerlessRec.Pipeline;
using ServerlessRec.Retrieval;
using ServerlessRec.Serving;
using ServerlessRec.Storage;
using ServerlessRec.Training;

namespace ServerlessRec.Core.Tests.Pipeline;

/// <summary>
/// Rollback and status over a local store: a kept version goes live again only when its artefacts match their hashes and
/// its index is complete; serving follows the pointer; cleanup never deletes what a rollback just chose.
/// </summary>
public sealed class ModelAdministrationTests : IDisposable
{
    private static readonly DateTimeOffset Now = TestDatasets.Start.AddDays(40);
    private readonly string _root = Path.Combine(Path.GetTempPath(), "srec-admin-" + Guid.NewGuid().ToString("N"));
    private readonly LocalFolderBlobStore _store;
    private readonly FakeTimeProvider _time = new(Now);

    public ModelAdministrationTests() => _store = new LocalFolderBlobStore(new StorageOptions { LocalRoot = _root });

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    [Fact]
    public async Task Rollback_ToKeptVersion_RecommenderServiceAnswersWithThatVersionAfterItsRefresh()
    {
        await PublishTwoVersionsWithV2LiveAsync();
        using var provider = new LiveModelProvider(_store, _time);
        var recommender = new RecommenderService(provider, new UserHistoryStore(_store), _time);
        var request = new RecommendationRequest { UserId = "someone", K = 5 };
        Assert.Equal("v2", (await recommender.RecommendAsync(request)).ModelVersion);

        var result = await CreateSut().RollbackAsync("v1", "alice", "v2 recommends out-of-stock items");
        _time.Advance(provider.RefreshInterval + TimeSpan.FromSeconds(1));

        Assert.True(result.Changed);
        Assert.Equal("v1", (await recommender.RecommendAsync(request)).ModelVersion);
    }

    [Fact]
    public async Task Rollback_NoVersionNamed_ActivatesThePreviousVersionAndRecordsWhoAndWhy()
    {
        await PublishTwoVersionsWithV2LiveAsync();

        var result = await CreateSut().RollbackAsync(to: null, "alice", "bad rankings");

        var (pointer, _) = await ModelPointer.ReadAsync(_store);
        Assert.Equal("v1", pointer!.Version);
        Assert.Equal("v2", pointer.PreviousVersion);
        Assert.Equal(ModelActivation.RollbackTrigger, pointer.Trigger);
        Assert.Equal("alice", pointer.ActivatedBy);
        Assert.Equal("bad rankings", pointer.Reason);
        Assert.Equal(Now, pointer.ActivatedAt);
        var record = JsonSerializer.Deserialize<RetrainRunRecord>((await _store.ReadAsync(ContainerNames.Runs, result.RunId + ".json"))!.Content.Span)!;
        Assert.Equal(ModelActivation.RollbackTrigger, record.Trigger);
        Assert.Equal(RunOutcome.Activated, record.Outcome);
        Assert.Equal("v1", record.Version);
        Assert.Equal("rolled back from v2 to v1 by alice: bad rankings", record.Reason);
    }

    [Theory]
    [InlineData(ModelManifest.UserTowerFile)]
    [InlineData(ModelManifest.ItemTowerFile)]
    [InlineData(ModelManifest.ItemVectorsFile)]
    public async Task Activate_OneByteChangedInAnOnnxOrVectorFile_IsRefusedNamingItAndThePointerIsUnchanged(string artefact)
    {
        await PublishTwoVersionsWithV2LiveAsync();
        var name = ModelPackage.BlobName("v1", artefact);
        var bytes = (await _store.ReadAsync(ContainerNames.Models, name))!.Content.ToArray();
        bytes[bytes.Length / 2] ^= 0x01;
        await _store.WriteAsync(ContainerNames.Models, name, bytes);
        var before = await _store.ReadAsync(ContainerNames.Models, ModelPointer.BlobName);

        var error = await Assert.ThrowsAsync<ModelActivationRefusedException>(() => CreateSut().ActivateAsync("v1", "alice", "test"));

        Assert.Contains(artefact, error.Message, StringComparison.Ordinal);
        Assert.Contains("does not match", error.Message, StringComparison.Ordinal);
        Assert.Contains("the live model is unchanged", error.Message, StringComparison.Ordinal);
        Assert.Equal(before!.ETag, (await _store.ReadAsync(ContainerNames.Models, ModelPointer.BlobName))!.ETag);
        Assert.Empty(await RunRecordsAsync());
    }

    [Fact]
    public async Task Rollback_WithTelemetry_CountsOneActivationWithTriggerRollbackAndARefusedOneCountsNone()
    {
        await PublishTwoVersionsWithV2LiveAsync();
        using var telemetry = new ServerlessRecTelemetry();
        using var recorder = new TelemetryRecorder(telemetry);
        var sut = new ModelAdministration(_store, new EmbeddedModelIndexVerifier(_store), _time, telemetry: telemetry);
        var name = ModelPackage.BlobName("v2", ModelManifest.ItemVectorsFile);
        var bytes = (await _store.ReadAsync(ContainerNames.Models, name))!.Content.ToArray();

        await sut.RollbackAsync("v1", "alice", "bad rankings");
        bytes[bytes.Length / 2] ^= 0x01;
        await _store.WriteAsync(ContainerNames.Models, name, bytes);
        await Assert.ThrowsAsync<ModelActivationRefusedException>(() => sut.ActivateAsync("v2", "alice", "back again"));

        var activation = Assert.Single(recorder.Of(ServerlessRecTelemetry.ModelActivations));
        Assert.Equal(1, activation.Value);
        Assert.Equal("v1", activation.Tag("model.version"));
        // The published tag value (Bicep alerts and dashboards filter on it), not the constant.
        Assert.Equal("rollback", activation.Tag("trigger"));
    }

    [Fact]
    public async Task Activate_EmbeddedIndexFileMissing_IsRefusedAndThePointerIsUnchanged()
    {
        await PublishTwoVersionsWithV2LiveAsync();
        await _store.DeleteAsync(ContainerNames.Models, ModelPackage.BlobName("v1", ModelManifest.ItemVectorsFile));

        var error = await Assert.ThrowsAsync<ModelActivationRefusedException>(() => CreateSut().ActivateAsync("v1", null, null));

        Assert.Contains(ModelManifest.ItemVectorsFile, error.Message, StringComparison.Ordinal);
        Assert.Equal("v2", (await ModelPointer.ReadAsync(_store)).Pointer!.Version);
    }

    [Fact]
    public async Task Activate_IndexCheckFindsAProblem_IsRefusedWithItsWordsAndThePointerIsUnchanged()
    {
        await PublishTwoVersionsWithV2LiveAsync();
        var sut = new ModelAdministration(_store, new MissingIndex(), _time);

        var error = await Assert.ThrowsAsync<ModelActivationRefusedException>(() => sut.ActivateAsync("v1", null, null));

        Assert.Contains("index items-v-v1 does not exist", error.Message, StringComparison.Ordinal);
        Assert.Equal("v2", (await ModelPointer.ReadAsync(_store)).Pointer!.Version);
    }

    [Fact]
    public async Task FindProblem_VectorsSizedForFewerItemsThanTheManifest_ReportsTheEmbeddedIndexIncomplete()
    {
        var package = ModelPackageTests.ExportSmall("v1");
        var manifest = package.Manifest with { ItemCount = package.Manifest.ItemCount + 1 };
        await package.WriteAsync(_store);

        var problem = await new EmbeddedModelIndexVerifier(_store).FindProblemAsync(manifest);

        Assert.NotNull(problem);
        Assert.Contains(ModelManifest.ItemVectorsFile, problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Activate_UnknownVersion_ThrowsNotFoundListingTheKeptVersions()
    {
        await PublishTwoVersionsWithV2LiveAsync();

        var error = await Assert.ThrowsAsync<NotFoundException>(() => CreateSut().ActivateAsync("v9", null, null));

        Assert.Equal("version", error.Field);
        Assert.Contains("v2, v1", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("../v1")]
    [InlineData("v1/user_tower.onnx")]
    [InlineData("-v1")]
    [InlineData("v 1")]
    public async Task Activate_MalformedVersion_ThrowsValidationNamingTheField(string version)
    {
        var error = await Assert.ThrowsAsync<RequestValidationException>(() => CreateSut().ActivateAsync(version, null, null));

        Assert.Equal("version", error.Field);
    }

    [Fact]
    public async Task Activate_LiveVersion_ChangesNothing()
    {
        await PublishTwoVersionsWithV2LiveAsync();
        var before = await _store.ReadAsync(ContainerNames.Models, ModelPointer.BlobName);

        var result = await CreateSut().ActivateAsync("v2", null, null);

        Assert.False(result.Changed);
        Assert.Equal(before!.ETag, (await _store.ReadAsync(ContainerNames.Models, ModelPointer.BlobName))!.ETag);
    }

    [Fact]
    public async Task GetStatus_AfterRunsAndARollback_ListsLiveKeptVersionsWithMetricsAndRunsNewestFirst()
    {
        await PublishTwoVersionsWithV2LiveAsync();
        await WriteRunAsync(new RetrainRunRecord { RunId = "20260205-010000-aaaaaa", Trigger = "timer", Started = Now.AddDays(-5), Outcome = RunOutcome.Activated, Version = "v2", Reason = "beats popularity" });
        await WriteRunAsync(new RetrainRunRecord
        {
            RunId = "20260206-010000-bbbbbb",
            Trigger = "timer",
            Started = Now.AddDays(-4),
            Outcome = RunOutcome.Failed,
            Reason = "Compact: log blob events/2026/02/06/01/bulk-1.jsonl disappeared during the run",
            FailedStep = nameof(RetrainActivities.Compact),
            FailureType = "System.IO.FileNotFoundException",
            FailureMessage = "log blob events/2026/02/06/01/bulk-1.jsonl disappeared during the run",
        });
        await CreateSut().RollbackAsync("v1", "alice", "why not");

        var status = await CreateSut().GetStatusAsync(runs: 2);

        Assert.Equal("v1", status.Live!.Version);
        Assert.Equal(["v2", "v1"], status.Versions.Select(v => v.Version));
        Assert.True(status.Versions[1].Live);
        Assert.Equal(0.25, status.Versions[0].Metrics["validation.model"].NdcgAt10);
        Assert.Equal(0.125, status.Versions[1].Metrics["validation.model"].NdcgAt10);
        Assert.Equal(2, status.Runs.Count);
        Assert.Equal(ModelActivation.RollbackTrigger, status.Runs[0].Trigger);
        Assert.Equal(RunOutcome.Failed, status.Runs[1].Outcome);
        Assert.StartsWith("The run stopped while reading and validating the event logs: a log file was deleted", status.Runs[1].Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cleanup_RollbackToAnOldVersionWhileCleanupRuns_KeepsTheRolledBackToVersion()
    {
        foreach (var (version, day) in new[] { ("v1", -3), ("v2", -2), ("v3", 0) })
        {
            await PublishAsync(version, 0.1);
            await ModelActivation.ActivateAsync(_store, version, Now.AddDays(day));
        }

        // The operator rolls back to v1 right after cleanup read the pointer (v3 live, v2 previous): v1 is then retired.
        var racing = new RollbackOnFirstModelsListing(_store, () => CreateSut().ActivateAsync("v1", "alice", "v3 and v2 are bad"));
        var activities = new RetrainActivities(racing, new EmbeddedItemIndexPublisher(racing), new TwoTowerOptions(), new EventTypeOptions(), _time);

        await activities.Cleanup(new CleanupInput(KeepVersions: 1, GraceSeconds: 600));

        Assert.True(racing.RolledBack);
        Assert.Equal("v1", (await ModelPointer.ReadAsync(_store)).Pointer!.Version);
        using var live = await ServingModel.LoadAsync(_store, "v1");
        Assert.Equal("v1", live.Manifest.Version);
    }

    private ModelAdministration CreateSut() => new(_store, new EmbeddedModelIndexVerifier(_store), _time);

    private async Task PublishTwoVersionsWithV2LiveAsync()
    {
        await PublishAsync("v1", 0.125);
        await PublishAsync("v2", 0.25);
        await ModelActivation.ActivateAsync(_store, "v1", Now.AddDays(-10));
        await ModelActivation.ActivateAsync(_store, "v2", Now.AddDays(-5));
    }

    private Task PublishAsync(string version, double ndcg) => TestModels.PublishSmallAsync(_store, version, ndcg, popularityNdcg: 0.05);

    private Task<string> WriteRunAsync(RetrainRunRecord record) =>
        _store.WriteAsync(ContainerNames.Runs, record.RunId + ".json", JsonSerializer.SerializeToUtf8Bytes(record));

    private async Task<List<string>> RunRecordsAsync()
    {
        var names = new List<string>();
        await foreach (var blob in _store.ListAsync(ContainerNames.Runs))
        {
            names.Add(blob.Name);
        }

        return names;
    }

    private sealed class MissingIndex : IModelIndexVerifier
    {
        public Task<string?> FindProblemAsync(ModelManifest manifest, CancellationToken cancellationToken = default) =>
            Task.FromResult<string?>($"index items-v-{manifest.Version} does not exist");
    }

    /// <summary>Runs a rollback the first time the models container is listed whole (what cleanup does after reading the pointer).</summary>
    private sealed class RollbackOnFirstModelsListing(IBlobStore inner, Func<Task> rollback) : IBlobStore
    {
        public bool RolledBack { get; private set; }

        public Task<StoredBlob?> ReadAsync(string container, string name, CancellationToken cancellationToken = default) => inner.ReadAsync(container, name, cancellationToken);

        public Task<Stream?> OpenReadAsync(string container, string name, CancellationToken cancellationToken = default) => inner.OpenReadAsync(container, name, cancellationToken);

        public Task<string> WriteAsync(string container, string name, ReadOnlyMemory<byte> content, BlobWriteCondition condition = default, CancellationToken cancellationToken = default) =>
            inner.WriteAsync(container, name, content, condition, cancellationToken);

        public Task<string> UploadAsync(string container, string name, Stream content, CancellationToken cancellationToken = default) => inner.UploadAsync(container, name, content, cancellationToken);

        public Task AppendAsync(string container, string name, ReadOnlyMemory<byte> content, CancellationToken cancellationToken = default) => inner.AppendAsync(container, name, content, cancellationToken);

        public async IAsyncEnumerable<BlobEntry> ListAsync(string container, string prefix = "", [EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            if (container == ContainerNames.Models && prefix.Length == 0 && !RolledBack)
            {
                RolledBack = true;
                await rollback();
            }

            await foreach (var blob in inner.ListAsync(container, prefix, cancellationToken))
            {
                yield return blob;
            }
        }

        public Task<BlobEntry?> GetPropertiesAsync(string container, string name, CancellationToken cancellationToken = default) => inner.GetPropertiesAsync(container, name, cancellationToken);

        public Task<bool> DeleteAsync(string container, string name, string? ifMatch = null, CancellationToken cancellationToken = default) => inner.DeleteAsync(container, name, ifMatch, cancellationToken);
    }
}
