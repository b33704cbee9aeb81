using System.Text.Json;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Testing;
using Microsoft.Extensions.Time.Testing;
using ServerlessRec.Events;
using ServerlessRec.Pipeline;
using ServerlessRec.Retrieval;
using ServerlessRec.Serving;
using ServerlessRec.Storage;
using ServerlessRec.Tests.Durable;
using ServerlessRec.Training;

namespace ServerlessRec.Core.Tests.Pipeline;

public sealed class RetrainOrchestrationTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "srec-retrain-" + Guid.NewGuid().ToString("N"));
    private readonly LocalFolderBlobStore _store;

    public RetrainOrchestrationTests() => _store = new LocalFolderBlobStore(new StorageOptions { LocalRoot = _root });

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    private static TwoTowerOptions Training(int epochs = 4) => new() { Dimensions = 16, HiddenDimensions = 32, Epochs = epochs, Patience = 2, Threads = 2, SampledNegatives = 64 };

    /// <summary>The run's "now", as the scheduler takes it from the clock the activities also use.</summary>
    private static readonly DateTimeOffset Now = new(2026, 3, 1, 0, 0, 0, TimeSpan.Zero);

    private static RetrainInput Input() => RetrainInput.From("test", new RetrainOptions { BlobsPerShard = 1, ItemsPerIndexActivity = 150, FirstRetryInterval = TimeSpan.FromMilliseconds(20) }, Now);

    private async Task GenerateAsync(int seed, long events = 24_000, DateTimeOffset? start = null) =>
        await new SyntheticLogGenerator(new SyntheticLogOptions { Users = 600, Items = 300, Events = events, Seed = seed, BadLineFraction = 0.01, Start = start ?? new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero) })
            .WriteEventsAsync(new BlobStoreDestination(_store, ContainerNames.Events), source: $"synthetic-{seed}", linesPerFile: 4_000);

    private async Task<(RetrainOutcome Outcome, OrchestrationMetadata Metadata)> RunAsync(TwoTowerOptions training, IItemIndexPublisher? publisher = null, RetrainInput? input = null)
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 3, 1, 0, 0, 0, TimeSpan.Zero));
        publisher ??= new EmbeddedItemIndexPublisher(_store);
        await using var host = await TestDurableHost.StartAsync(tasks => { var datasets = new RetrainDatasetCache(); tasks.AddRetrain(() => new RetrainActivities(_store, publisher, training, new EventTypeOptions(), time, datasets: datasets)); });
        var id = await host.Client.ScheduleNewOrchestrationInstanceAsync(RetrainOrchestration.Name, input ?? Input());
        var metadata = await host.Client.WaitForInstanceCompletionAsync(id, getInputsAndOutputs: true);
        var outcome = metadata.RuntimeStatus == OrchestrationRuntimeStatus.Completed ? metadata.ReadOutputAs<RetrainOutcome>()! : new RetrainOutcome("", RunOutcome.Failed, null, metadata.FailureDetails?.ErrorMessage);
        return (outcome, metadata);
    }

    private async Task<RetrainRunRecord> RunRecordAsync(string runId)
    {
        var blob = await _store.ReadAsync(ContainerNames.Runs, $"{runId}.json");
        return JsonSerializer.Deserialize<RetrainRunRecord>(blob!.Content.Span)!;
    }

    [Fact]
    public async Task Retrain_HappyPath_ActivatesANewVersionThatServes()
    {
        await GenerateAsync(seed: 1);
        var histories = new UserHistoryStore(_store);
        await new ForgottenUsers(_store, histories, new FakeTimeProvider(new DateTimeOffset(2026, 3, 1, 0, 0, 0, TimeSpan.Zero))).ForgetAsync("u7");
        // A run that crashed earlier left its scratch (a copy of the events) behind.
        await _store.WriteAsync(ContainerNames.Runs, $"{RetrainActivities.WorkFolder}/20260228-000000-abcdef/shard-00000.jsonl", new byte[] { 1 });
        await _store.WriteAsync(ContainerNames.Runs, $"{RetrainActivities.WorkFolder}/20260228-000000-abcdef/final.ckpt", new byte[] { 2 });

        var (outcome, metadata) = await RunAsync(Training());

        Assert.Equal(OrchestrationRuntimeStatus.Completed, metadata.RuntimeStatus);
        Assert.Equal(RunOutcome.Activated, outcome.Outcome);
        var (pointer, _) = await ModelPointer.ReadAsync(_store);
        Assert.Equal(outcome.Version, pointer!.Version);
        var record = await RunRecordAsync(outcome.RunId);
        // u7's lines were erased from the logs by the purge step, before compacting: the others' events were all read.
        Assert.True(record.PurgedLines > 0 && record.PurgedBlobs > 0);
        Assert.InRange(record.Accepted, 24_000 - record.PurgedLines, 23_999);
        Assert.True(record.Rejected > 0);
        Assert.Contains("train", record.StepSeconds.Keys);
        Assert.Equal(record.Dataset!.Users, record.SeededUsers);
        Assert.Equal(1, record.Dataset.ForgottenUsers);
        Assert.Equal(0, record.Dataset.ExcludedEvents); // erased before compacting: none were left to exclude
        Assert.Equal(599, record.Dataset.Users);
        Assert.NotEmpty((await histories.ReadAsync("u1")).Events);
        Assert.Empty((await histories.ReadAsync("u7")).Events);
        var report = System.Text.Encoding.UTF8.GetString((await _store.ReadAsync(ContainerNames.Models, $"{outcome.Version}/{RetrainReport.FileName}"))!.Content.Span);
        Assert.Equal(2, System.Text.RegularExpressions.Regex.Count(report, "<svg "));
        Assert.Contains(record.RunId, report, StringComparison.Ordinal);
        Assert.NotNull(await _store.ReadAsync(ContainerNames.Runs, $"{RetrainActivities.ReportsFolder}/{outcome.RunId}.html"));
        await foreach (var scratch in _store.ListAsync(ContainerNames.Runs, $"{RetrainActivities.WorkFolder}/"))
        {
            Assert.Fail($"scratch blob {scratch.Name} outlived the run");
        }

        Assert.Equal(2, record.StaleScratchBlobsRemoved);
        Assert.Equal(0, record.QuarantinedUsers);

        var time = new FakeTimeProvider(new DateTimeOffset(2026, 3, 2, 0, 0, 0, TimeSpan.Zero));
        using var models = new LiveModelProvider(_store, time);
        var service = new RecommenderService(models, new UserHistoryStore(_store), time);
        var response = await service.RecommendAsync(new RecommendationRequest { UserId = "new", RecentEvents = [new RequestEvent { ItemId = "i1", Type = "view" }] });
        Assert.Equal(outcome.Version, response.ModelVersion);
        Assert.Equal(10, response.Items.Count);
    }

    [Fact]
    public async Task Retrain_ActivityFailingTransiently_IsRetriedAndCompletes()
    {
        await GenerateAsync(seed: 2);
        var flaky = new FlakyPublisher(new EmbeddedItemIndexPublisher(_store), failures: 2);

        var (outcome, _) = await RunAsync(Training(), flaky);

        Assert.Equal(RunOutcome.Activated, outcome.Outcome);
        Assert.Equal(3, flaky.CountCalls);
    }

    [Fact]
    public async Task Retrain_CandidateWorseThanLive_KeepsLiveModel()
    {
        await GenerateAsync(seed: 3);
        var (first, _) = await RunAsync(Training());
        Assert.Equal(RunOutcome.Activated, first.Outcome);

        // The same users with the same tastes come back later (same generator seed, more events, newer dates): the live
        // model knows them well. The candidate trains two epochs only: it beats popularity on the gate slice but loses to
        // the live model on the fresh users whose newest item is new to them (a replayed item is no target), with no
        // margin, so only the live comparison can reject it.
        await GenerateAsync(seed: 3, events: 36_000, start: new DateTimeOffset(2026, 2, 15, 0, 0, 0, TimeSpan.Zero));
        var strict = RetrainInput.From("test", new RetrainOptions { BlobsPerShard = 1, ItemsPerIndexActivity = 150, FirstRetryInterval = TimeSpan.FromMilliseconds(20), PromotionMargin = 0 }, Now);
        var (second, _) = await RunAsync(Training(epochs: 2), input: strict);

        var record = await RunRecordAsync(second.RunId);
        Assert.True(second.Outcome == RunOutcome.Rejected, record.Reason);
        Assert.Equal(first.Version, (await ModelPointer.ReadAsync(_store)).Pointer!.Version);
        Assert.Equal(RunOutcome.Rejected, record.Outcome);
        var evaluation = record.Evaluation!;
        Assert.True(evaluation.Candidate.NdcgAt10 > evaluation.Popularity.NdcgAt10, $"the candidate must beat popularity for this test to mean anything: {record.Reason}");
        Assert.Equal(first.Version, evaluation.LiveVersion);
        Assert.NotNull(evaluation.Live);
        Assert.Null(evaluation.LiveComparisonSkipped);
        Assert.StartsWith("candidate loses to the live model by more than", record.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Retrain_FailureBetweenIndexUploadAndActivation_LeavesOldModelLive()
    {
        await GenerateAsync(seed: 4);
        var (first, _) = await RunAsync(Training());
        Assert.Equal(RunOutcome.Activated, first.Outcome);
        var broken = new FlakyPublisher(new EmbeddedItemIndexPublisher(_store), failures: int.MaxValue);

        var (second, metadata) = await RunAsync(Training(), broken);

        Assert.True(metadata.RuntimeStatus == OrchestrationRuntimeStatus.Failed, $"{metadata.RuntimeStatus}: {second}");
        Assert.Equal(first.Version, (await ModelPointer.ReadAsync(_store)).Pointer!.Version);
        var records = new List<RetrainRunRecord>();
        await foreach (var blob in _store.ListAsync(ContainerNames.Runs))
        {
            if (!blob.Name.Contains('/', StringComparison.Ordinal))
            {
                records.Add(JsonSerializer.Deserialize<RetrainRunRecord>((await _store.ReadAsync(ContainerNames.Runs, blob.Name))!.Content.Span)!);
            }
        }

        var failed = Assert.Single(records, r => r.Outcome == RunOutcome.Failed);
        Assert.Contains("Activate", failed.Reason, StringComparison.Ordinal);
        Assert.Null(second.Version);
    }

    [Fact]
    public async Task TryStart_WhileARunIsInProgress_DoesNotStartASecondOne()
    {
        await GenerateAsync(seed: 6);
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 3, 1, 0, 0, 0, TimeSpan.Zero));
        await using var host = await TestDurableHost.StartAsync(tasks => { var datasets = new RetrainDatasetCache(); tasks.AddRetrain(() => new RetrainActivities(_store, new EmbeddedItemIndexPublisher(_store), Training(), new EventTypeOptions(), time, datasets: datasets)); });

        using var scheduler = new RetrainScheduler();

        var first = await scheduler.TryStartAsync(host.Client, Input());
        var second = await scheduler.TryStartAsync(host.Client, Input());
        await host.Client.WaitForInstanceCompletionAsync(RetrainScheduler.InstanceId);
        var afterwards = await scheduler.TryStartAsync(host.Client, Input());
        var last = await host.Client.WaitForInstanceCompletionAsync(RetrainScheduler.InstanceId, getInputsAndOutputs: true);

        Assert.True(first.Started);
        Assert.False(second.Started);
        Assert.Contains("already", second.Message, StringComparison.Ordinal);
        Assert.True(afterwards.Started);
        Assert.Equal(OrchestrationRuntimeStatus.Completed, last.RuntimeStatus);
    }

    [Fact]
    public async Task Retrain_BulkLineDatedInTheFuture_IsQuarantinedAndTheDataCutoffStaysAtTheRunStart()
    {
        await GenerateAsync(seed: 7);
        // A bulk file in a recent folder with one line from 2099 (and one within the allowed skew).
        var lines = $$"""
            {"userId":"u1","itemId":"i1","type":"view","timestamp":"2099-01-01T00:00:00Z"}
            {"userId":"u2","itemId":"i2","type":"view","timestamp":"{{Now.AddMinutes(30).UtcDateTime:yyyy-MM-dd'T'HH:mm:ss'Z'}}"}
            """;
        await _store.WriteAsync(ContainerNames.Events, "2026/02/28/23/partner-1.jsonl", System.Text.Encoding.UTF8.GetBytes(lines + "\n"));

        var (outcome, _) = await RunAsync(Training());

        Assert.Equal(RunOutcome.Activated, outcome.Outcome);
        var record = await RunRecordAsync(outcome.RunId);
        Assert.Equal(1, record.RejectedByReason[RejectionReasons.FutureTimestamp]);
        Assert.Equal(24_001, record.Accepted);
        Assert.Equal(Now, record.RunStart);
        var manifest = await ServerlessRec.Onnx.ModelPackage.ReadManifestAsync(_store, outcome.Version!);
        Assert.True(manifest!.Training[ServerlessRec.Onnx.ModelExporter.DataCutoffKey] <= Now.ToUnixTimeSeconds(), "the cutoff is never later than the run start");
    }

    [Fact]
    public async Task Retrain_LiveModelNotComparable_RecordsWhyTheComparisonWasSkipped()
    {
        await GenerateAsync(seed: 8);
        await ActivateLiveModelTrainedLaterThanTheLogsAsync();

        var (outcome, _) = await RunAsync(Training());

        Assert.Equal(RunOutcome.Activated, outcome.Outcome);
        var record = await RunRecordAsync(outcome.RunId);
        Assert.Contains("only 0 users", record.LiveComparisonSkipped, StringComparison.Ordinal);
        Assert.Equal(record.LiveComparisonSkipped, record.Evaluation!.LiveComparisonSkipped);
        var report = System.Text.Encoding.UTF8.GetString((await _store.ReadAsync(ContainerNames.Runs, $"{RetrainActivities.ReportsFolder}/{outcome.RunId}.html"))!.Content.Span);
        Assert.Contains("Live comparison skipped", report, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Retrain_RequireLiveComparisonAndItWasSkipped_RejectsTheCandidate()
    {
        await GenerateAsync(seed: 9);
        await ActivateLiveModelTrainedLaterThanTheLogsAsync();
        var input = RetrainInput.From("test", new RetrainOptions { BlobsPerShard = 1, ItemsPerIndexActivity = 150, FirstRetryInterval = TimeSpan.FromMilliseconds(20), RequireLiveComparison = true }, Now);

        var (outcome, _) = await RunAsync(Training(), input: input);

        Assert.Equal(RunOutcome.Rejected, outcome.Outcome);
        Assert.Contains("RequireLiveComparison", outcome.Reason, StringComparison.Ordinal);
        Assert.Equal("live", (await ModelPointer.ReadAsync(_store)).Pointer!.Version);
    }

    /// <summary>Makes a small model live whose data ends 45 days after the synthetic logs start: no validation event of theirs is newer.</summary>
    private async Task ActivateLiveModelTrainedLaterThanTheLogsAsync()
    {
        var events = Enumerable.Range(0, 30).SelectMany(u => Enumerable.Range(0, 8).Select(e => ($"u{u}", $"i{(u + e) % 40}", "view", (double)(u * 10) + e))).ToList();
        events.Add(("u0", "i1", "view", TimeSpan.FromDays(45).TotalMinutes));
        var data = TestDatasets.Build(events);
        var options = new TwoTowerOptions { Dimensions = 16, HiddenDimensions = 32, HistoryLength = 10, BatchSize = 16, Epochs = 1, Threads = 1, SampledNegatives = 8 };
        var model = new TwoTowerTrainer(options).Train(data, TestDatasets.AllEvents(data)).Model;
        await ServerlessRec.Onnx.ModelExporter.Export(model, data, options, new EventTypeOptions(), "live", Now).WriteAsync(_store);
        await ModelActivation.ActivateAsync(_store, "live", Now.AddDays(-1));
    }

    /// <summary>Fails the count check before activation a given number of times (a transient outage of the index).</summary>
    private sealed class FlakyPublisher(IItemIndexPublisher inner, int failures) : IItemIndexPublisher
    {
        private int _calls;

        public int CountCalls => _calls;

        public Task CreateVersionAsync(string version, int dimensions, CancellationToken cancellationToken = default) => inner.CreateVersionAsync(version, dimensions, cancellationToken);

        public Task UploadAsync(string version, IReadOnlyList<IndexedItem> items, CancellationToken cancellationToken = default) => inner.UploadAsync(version, items, cancellationToken);

        public Task<long> CountAsync(string version, CancellationToken cancellationToken = default) =>
            Interlocked.Increment(ref _calls) <= failures ? throw new IOException("index service unavailable (simulated)") : inner.CountAsync(version, cancellationToken);

        public Task<IReadOnlyList<string>> ListVersionsAsync(CancellationToken cancellationToken = default) => inner.ListVersionsAsync(cancellationToken);

        public Task<bool> DeleteVersionAsync(string version, CancellationToken cancellationToken = default) => inner.DeleteVersionAsync(version, cancellationToken);

        public Task<IItemIndex> OpenAsync(string version, CancellationToken cancellationToken = default) => inner.OpenAsync(version, cancellationToken);
    }
}
