using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Testing;
using Microsoft.Extensions.Time.Testing;
using ServerlessRec.Core.Tests.Storage;
using ServerlessRec.Evaluation;
using ServerlessRec.Events;
using ServerlessRec.Onnx;
using ServerlessRec.Pipeline;
using ServerlessRec.Retrieval;
using ServerlessRec.Serving;
using ServerlessRec.Storage;
using ServerlessRec.Tests.Durable;
using ServerlessRec.Training;

namespace ServerlessRec.Core.Tests.Pipeline;

/// <summary>
/// Storage faults injected under the real retraining orchestration (in-process Durable Task host): transient ones
/// are retried or resumed and the run activates; a permanent one fails the run, records why, and leaves the live model serving.
/// </summary>
public sealed class RetrainFaultTests : IDisposable
{
    private const string LiveVersion = "v0";
    private readonly string _root = Path.Combine(Path.GetTempPath(), "srec-faults-" + Guid.NewGuid().ToString("N"));
    private readonly LocalFolderBlobStore _inner;
    private readonly FaultInjectingBlobStore _store;

    public RetrainFaultTests()
    {
        _inner = new LocalFolderBlobStore(new StorageOptions { LocalRoot = _root });
        _store = new FaultInjectingBlobStore(_inner);
    }

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    /// <summary>The steps a fault is injected into, with the storage call that only that step makes (the live version's blobs excluded).</summary>
    private static readonly string[] StepNames = ["Compact", "Train", "ExportOnnx", "IndexItems", "Activate"];

    public static TheoryData<string> Steps => new(StepNames);

    private static Func<BlobCall, bool> CallOf(string step) => step switch
    {
        // Compact uploads one shard per fan-out activity (streamed from a temporary file).
        "Compact" => c => c.Operation == BlobOperation.Upload && c.Container == ContainerNames.Runs && c.Name.Contains("/shard-", StringComparison.Ordinal),
        // Train writes a checkpoint after every epoch of the final training.
        "Train" => c => c.Operation == BlobOperation.Write && c.Container == ContainerNames.Runs && c.Name.EndsWith("/final.ckpt", StringComparison.Ordinal),
        "ExportOnnx" => c => c.Operation == BlobOperation.Write && IsCandidateModelBlob(c) && c.Name.EndsWith("/" + ModelManifest.UserTowerFile, StringComparison.Ordinal),
        // IndexItems is the first step that reads the exported package back.
        "IndexItems" => c => c.Operation == BlobOperation.Read && IsCandidateModelBlob(c) && c.Name.EndsWith("/" + ModelManifest.ItemsFile, StringComparison.Ordinal),
        "Activate" => c => c.Operation == BlobOperation.Write && c.Container == ContainerNames.Models && c.Name == ModelPointer.BlobName,
        _ => throw new ArgumentOutOfRangeException(nameof(step), step, "no such step"),
    };

    private static bool IsCandidateModelBlob(BlobCall call) =>
        call.Container == ContainerNames.Models && !call.Name.StartsWith(LiveVersion + "/", StringComparison.Ordinal);

    private static TwoTowerOptions Training() => new() { Dimensions = 16, HiddenDimensions = 16, Epochs = 3, Patience = 2, Threads = 2, SampledNegatives = 32 };

    private static RetrainInput Input() => RetrainInput.From("test", new RetrainOptions { BlobsPerShard = 1, ItemsPerIndexActivity = 100, FirstRetryInterval = TimeSpan.FromMilliseconds(20) }, RunStart);

    /// <summary>The run's "now": a month after the synthetic logs end.</summary>
    private static readonly DateTimeOffset RunStart = new(2026, 3, 1, 0, 0, 0, TimeSpan.Zero);

    private async Task GenerateAsync(int seed) =>
        await new SyntheticLogGenerator(new SyntheticLogOptions { Users = 300, Items = 150, Events = 12_000, Seed = seed, Start = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero) })
            .WriteEventsAsync(new BlobStoreDestination(_inner, ContainerNames.Events), source: $"synthetic-{seed}", linesPerFile: 4_000);

    /// <summary>Makes a small, older model live without a retraining (fast): the version a failed run must leave serving.</summary>
    private async Task ActivateLiveModelAsync()
    {
        var data = TestDatasets.Clustered(users: 30, items: 24, eventsPerUser: 12, seed: 5);
        var options = new TwoTowerOptions { Dimensions = 8, HiddenDimensions = 8, HistoryLength = 10, BatchSize = 16, Epochs = 1, Threads = 1, SampledNegatives = 8 };
        var model = new TwoTowerTrainer(options).Train(data, TestDatasets.AllEvents(data)).Model;
        await ModelExporter.Export(model, data, options, new EventTypeOptions(), LiveVersion, TestDatasets.Start).WriteAsync(_inner);
        await ModelActivation.ActivateAsync(_inner, LiveVersion, TestDatasets.Start);
    }

    private async Task<(RetrainOutcome? Outcome, OrchestrationMetadata Metadata)> RunAsync()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 3, 1, 0, 0, 0, TimeSpan.Zero));
        await using var host = await TestDurableHost.StartAsync(tasks => { var datasets = new RetrainDatasetCache(); tasks.AddRetrain(() => new RetrainActivities(_store, new EmbeddedItemIndexPublisher(_store), Training(), new EventTypeOptions(), time, datasets: datasets)); });
        var id = await host.Client.ScheduleNewOrchestrationInstanceAsync(RetrainOrchestration.Name, Input());
        var metadata = await host.Client.WaitForInstanceCompletionAsync(id, getInputsAndOutputs: true);
        return (metadata.RuntimeStatus == OrchestrationRuntimeStatus.Completed ? metadata.ReadOutputAs<RetrainOutcome>() : null, metadata);
    }

    private async Task<RetrainRunRecord> SingleRunRecordAsync()
    {
        var records = new List<RetrainRunRecord>();
        await foreach (var blob in _inner.ListAsync(ContainerNames.Runs))
        {
            if (!blob.Name.Contains('/', StringComparison.Ordinal))
            {
                records.Add(JsonSerializer.Deserialize<RetrainRunRecord>((await _inner.ReadAsync(ContainerNames.Runs, blob.Name))!.Content.Span)!);
            }
        }

        return Assert.Single(records);
    }

    [Fact]
    public async Task Retrain_TransientStorageFaultsInEveryStep_AreRetriedAndTheRunActivates()
    {
        await GenerateAsync(seed: 11);
        _store.Latency = TimeSpan.FromMilliseconds(2);
        var faults = StepNames.Select(step => _store.Fail($"transient {step} fault", CallOf(step), failures: 2)).ToList();
        var tuningWrites = _store.Count("tuned checkpoint write", c => c.Operation == BlobOperation.Write && c.Name.EndsWith("/tuned.ckpt", StringComparison.Ordinal));

        var (outcome, metadata) = await RunAsync();

        Assert.True(metadata.RuntimeStatus == OrchestrationRuntimeStatus.Completed, $"{metadata.RuntimeStatus}: {metadata.FailureDetails?.ErrorMessage}");
        Assert.Equal(RunOutcome.Activated, outcome!.Outcome);
        Assert.All(faults, f => Assert.True(f.Injected == 2, $"{f.Description}: {f.Injected} injected"));
        // The retried Train resumed after the tuning it had already saved instead of tuning again.
        Assert.Equal(1, tuningWrites.Matched);
        Assert.Equal(outcome.Version, (await ModelPointer.ReadAsync(_inner)).Pointer!.Version);
        Assert.Equal(RunOutcome.Activated, (await SingleRunRecordAsync()).Outcome);
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 3, 2, 0, 0, 0, TimeSpan.Zero));
        using var models = new LiveModelProvider(_inner, time);
        Assert.Equal(outcome.Version, (await models.GetCurrentAsync())!.Version);
    }

    [Fact]
    public async Task Retrain_OneUsersHistoryWriteFails_QuarantinesTheUserAndActivates()
    {
        // As a non-finite value did: one user's history cannot be written, on every attempt.
        await GenerateAsync(seed: 11);
        var u5HistoryBlob = UserHistoryStore.BlobName(await UserIdHasherProvider.LoadOrCreateAsync(_inner), "u5");
        var fault = _store.Fail("u5's history write", c => c.Operation == BlobOperation.Write && c.Container == ContainerNames.Users && c.Name == u5HistoryBlob);

        var (outcome, metadata) = await RunAsync();

        Assert.True(metadata.RuntimeStatus == OrchestrationRuntimeStatus.Completed, $"{metadata.RuntimeStatus}: {metadata.FailureDetails?.ErrorMessage}");
        Assert.Equal(RunOutcome.Activated, outcome!.Outcome);
        Assert.True(fault.Injected > 0);
        var record = await SingleRunRecordAsync();
        Assert.Equal(1, record.QuarantinedUsers);
        Assert.Equal(record.Dataset!.Users - 1, record.SeededUsers);
        var quarantined = System.Text.Encoding.UTF8.GetString((await _inner.ReadAsync(ContainerNames.Quarantine, $"{record.RunId}/{RetrainActivities.QuarantinedUsersFile}"))!.Content.Span);
        Assert.Contains((await UserIdHasherProvider.LoadOrCreateAsync(_inner)).ForLogs("u5"), quarantined, StringComparison.Ordinal);
        var report = System.Text.Encoding.UTF8.GetString((await _inner.ReadAsync(ContainerNames.Runs, $"{RetrainActivities.ReportsFolder}/{record.RunId}.html"))!.Content.Span);
        Assert.Contains("Users quarantined", report, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Retrain_OneProcess_ReadsEachShardOnceForAllItsActivities()
    {
        // buildDataset, seedHistories, train, evaluate and exportOnnx share the dataset instead of each rebuilding it.
        await GenerateAsync(seed: 11);
        var shardReads = _store.Count("shard read", c => c.Operation == BlobOperation.OpenRead && c.Container == ContainerNames.Runs && c.Name.Contains("/shard-", StringComparison.Ordinal));
        var shardWrites = _store.Count("shard write", CallOf("Compact"));

        var (outcome, metadata) = await RunAsync();

        Assert.True(metadata.RuntimeStatus == OrchestrationRuntimeStatus.Completed, $"{metadata.RuntimeStatus}: {metadata.FailureDetails?.ErrorMessage}");
        Assert.Equal(RunOutcome.Activated, outcome!.Outcome);
        Assert.True(shardWrites.Matched > 1, $"{shardWrites.Matched} shards");
        Assert.Equal(shardWrites.Matched, shardReads.Matched);
    }

    [Theory]
    [MemberData(nameof(Steps))]
    public async Task Retrain_PermanentStorageFaultInAStep_FailsTheRunAndKeepsTheLiveModelServing(string step)
    {
        await GenerateAsync(seed: 12);
        await ActivateLiveModelAsync();
        var pointerBefore = await _inner.ReadAsync(ContainerNames.Models, ModelPointer.BlobName);
        var fault = _store.Fail($"permanent {step} fault", CallOf(step));

        var (_, metadata) = await RunAsync();

        Assert.Equal(OrchestrationRuntimeStatus.Failed, metadata.RuntimeStatus);
        Assert.True(fault.Injected > 0);
        var pointerAfter = await _inner.ReadAsync(ContainerNames.Models, ModelPointer.BlobName);
        Assert.Equal(pointerBefore!.Content.ToArray(), pointerAfter!.Content.ToArray());
        var record = await SingleRunRecordAsync();
        Assert.Equal(RunOutcome.Failed, record.Outcome);
        Assert.StartsWith(step + ":", record.Reason, StringComparison.Ordinal);
        Assert.Contains("storage unavailable", record.Reason, StringComparison.Ordinal);
        Assert.Equal(step, record.FailedStep);
        Assert.False(string.IsNullOrEmpty(record.FailureType));
        Assert.Contains("storage unavailable", record.FailureMessage, StringComparison.Ordinal);
        Assert.StartsWith("The run stopped while ", RetrainFailureText.Describe(record), StringComparison.Ordinal);
        Assert.DoesNotContain("in step ", RetrainFailureText.Describe(record), StringComparison.Ordinal);
        Assert.Null(record.Version);
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 3, 2, 0, 0, 0, TimeSpan.Zero));
        using var models = new LiveModelProvider(_inner, time);
        var service = new RecommenderService(models, new UserHistoryStore(_inner), time);
        var response = await service.RecommendAsync(new RecommendationRequest { UserId = "someone", RecentEvents = [new RequestEvent { ItemId = "i1", Type = "view" }], K = 3 });
        Assert.Equal(LiveVersion, response.ModelVersion);
    }

    [Fact]
    public async Task Train_CheckpointWriteFailsAfterTheFirstEpoch_TheEpochSavedDuringTrainingIsResumed()
    {
        await GenerateAsync(seed: 13);
        var training = Training();
        training.Threads = 1; // bit-for-bit reproducible, so the saved epoch can be compared with a reference
        var activities = new RetrainActivities(_store, new EmbeddedItemIndexPublisher(_store), training, new EventTypeOptions(), new FakeTimeProvider(TestDatasets.Start));
        var logs = await activities.ListPartitions(new ListPartitionsInput("run", TestDatasets.Start.AddDays(60), 0, 3600));
        var shards = new List<string>();
        for (var i = 0; i < logs.Count; i++)
        {
            shards.Add((await activities.Compact(new CompactInput("run", i, [logs[i]], DateTimeOffset.MaxValue))).ShardBlob);
        }

        static bool IsFinalCheckpoint(BlobCall c) => c.Operation == BlobOperation.Write && c.Name.EndsWith("/final.ckpt", StringComparison.Ordinal);
        var saved = new ConcurrentQueue<byte[]>();
        _store.OnWrite = (call, content) =>
        {
            if (IsFinalCheckpoint(call))
            {
                saved.Enqueue(content.ToArray());
            }
        };
        var writes = 0;
        _store.Fail("second checkpoint write", c => IsFinalCheckpoint(c) && Interlocked.Increment(ref writes) == 2, failures: 1);

        await Assert.ThrowsAsync<SimulatedStorageFaultException>(() => activities.Train(new ShardsInput("run", shards)));
        var firstEpoch = TwoTowerCheckpoint.FromBytes(Assert.Single(saved));
        var result = await activities.Train(new ShardsInput("run", shards));

        // The checkpoint written during the failed attempt is epoch 1 as it was after epoch 1, not a later state.
        Assert.Equal(1, firstEpoch.Epoch);
        var data = await LoadAsync(shards, training);
        var oneEpoch = training.Clone();
        oneEpoch.Epochs = 1;
        // The refit leaves each evaluated user's TEST event out: the gate scores the shipped model on it.
        var reference = new TwoTowerTrainer(oneEpoch).Train(data, LeaveLastOutSplit.Create(data).AllButTestEnds).Model;
        Assert.Equal(new TwoTowerCheckpoint(reference, 1).ToBytes(), new TwoTowerCheckpoint(firstEpoch.Model, 1).ToBytes());
        // The retry resumed from it and wrote each later epoch once, ending at the tuned number of epochs.
        Assert.Equal(Enumerable.Range(1, result.BestEpoch), saved.Select(b => TwoTowerCheckpoint.FromBytes(b).Epoch));
    }

    [Fact]
    public async Task Train_DatasetAboveRefitMaxEvents_UsesTheTunedModelAsFinal()
    {
        await GenerateAsync(seed: 14);
        var training = Training();
        training.RefitMaxEvents = 1_000;
        var activities = new RetrainActivities(_store, new EmbeddedItemIndexPublisher(_store), training, new EventTypeOptions(), new FakeTimeProvider(TestDatasets.Start));
        var logs = await activities.ListPartitions(new ListPartitionsInput("big", TestDatasets.Start.AddDays(60), 0, 3600));
        var shards = new List<string>();
        for (var i = 0; i < logs.Count; i++)
        {
            shards.Add((await activities.Compact(new CompactInput("big", i, [logs[i]], DateTimeOffset.MaxValue))).ShardBlob);
        }

        var result = await activities.Train(new ShardsInput("big", shards));

        Assert.Equal(result.TunedCheckpoint, result.FinalCheckpoint);
        await foreach (var blob in _store.ListAsync(ContainerNames.Runs, $"{RetrainActivities.WorkFolder}/big/"))
        {
            Assert.DoesNotContain("final.ckpt", blob.Name, StringComparison.Ordinal);
        }
    }

    private async Task<InteractionDataset> LoadAsync(IReadOnlyList<string> shards, TwoTowerOptions training)
    {
        var loader = new DatasetLoader(new EventTypeOptions(), training.FeatureBuckets);
        await loader.AddCatalogFromStoreAsync(_inner);
        foreach (var shard in shards)
        {
            await using var stream = (await _inner.OpenReadAsync(ContainerNames.Runs, shard))!;
            await loader.AddEventsAsync(stream, shard, EventFileFormat.JsonLines);
        }

        return loader.Build();
    }
}
