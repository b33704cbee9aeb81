using System.Diagnostics;
using System.Text;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using ServerlessRec.Core.Tests.Http;
using ServerlessRec.Core.Tests.Onnx;
using ServerlessRec.Diagnostics;
using ServerlessRec.Events;
using ServerlessRec.Pipeline;
using ServerlessRec.Retrieval;
using ServerlessRec.Serving;
using ServerlessRec.Storage;
using ServerlessRec.Tests.Durable;
using ServerlessRec.Training;

namespace ServerlessRec.Core.Tests.Diagnostics;

/// <summary>The retraining instruments and logs: a real run on the in-process Durable Task engine, and the activation step.</summary>
public sealed class RetrainTelemetryTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2026, 3, 1, 0, 0, 0, TimeSpan.Zero);
    private readonly string _root = Path.Combine(Path.GetTempPath(), "srec-retrain-telemetry-" + Guid.NewGuid().ToString("N"));
    private readonly LocalFolderBlobStore _store;
    private readonly ServerlessRecTelemetry _telemetry = new();

    public RetrainTelemetryTests() => _store = new LocalFolderBlobStore(new StorageOptions { LocalRoot = _root });

    public void Dispose()
    {
        _telemetry.Dispose();
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    [Fact]
    public async Task Retrain_TooLittleDataAndBadLines_RecordsStepsSkippedRunQuarantineAndLogsEachStepOnce()
    {
        // Ten users with two views each (too few to train on), two lines of an unknown type and one that is not JSON.
        var lines = new StringBuilder();
        for (var u = 0; u < 10; u++)
        {
            lines.Append("{\"userId\":\"u").Append(u).Append("\",\"itemId\":\"i1\",\"type\":\"view\",\"timestamp\":\"2026-02-28T10:00:00Z\"}\n");
            lines.Append("{\"userId\":\"u").Append(u).Append("\",\"itemId\":\"i2\",\"type\":\"view\",\"timestamp\":\"2026-02-28T10:01:00Z\"}\n");
        }

        lines.Append("{\"userId\":\"u1\",\"itemId\":\"i3\",\"type\":\"teleport\",\"timestamp\":\"2026-02-28T10:02:00Z\"}\n");
        lines.Append("{\"userId\":\"u2\",\"itemId\":\"i3\",\"type\":\"teleport\",\"timestamp\":\"2026-02-28T10:03:00Z\"}\n");
        lines.Append("{\"userId\":\n");
        await _store.WriteAsync(ContainerNames.Events, "2026/02/28/10/import-00000.jsonl", Encoding.UTF8.GetBytes(lines.ToString()));
        var logs = new CapturingLoggerProvider();
        using var recorder = new TelemetryRecorder(_telemetry);
        var time = new FakeTimeProvider(Now);

        RetrainOutcome outcome;
        await using (var host = await TestDurableHost.StartAsync(
            tasks => { var datasets = new RetrainDatasetCache(); tasks.AddRetrain(() => new RetrainActivities(_store, new EmbeddedItemIndexPublisher(_store), new TwoTowerOptions(), new EventTypeOptions(), time, _telemetry, datasets: datasets)); },
            new DurableTaskTestHostOptions { ConfigureServices = services => services.AddLogging(logging => logging.AddProvider(logs)) }))
        {
            var id = await host.Client.ScheduleNewOrchestrationInstanceAsync(RetrainOrchestration.Name, RetrainInput.From("test", new RetrainOptions(), Now));
            var metadata = await host.Client.WaitForInstanceCompletionAsync(id, getInputsAndOutputs: true);
            Assert.Equal(OrchestrationRuntimeStatus.Completed, metadata.RuntimeStatus);
            outcome = metadata.ReadOutputAs<RetrainOutcome>()!;
        }

        Assert.Equal(RunOutcome.NoData, outcome.Outcome);
        Assert.Equal("skipped", Assert.Single(recorder.Of(ServerlessRecTelemetry.RetrainRuns)).Tag("outcome"));
        var steps = recorder.Of(ServerlessRecTelemetry.RetrainStepDuration);
        Assert.Equal(
            [nameof(RetrainActivities.BuildDataset), nameof(RetrainActivities.Compact), nameof(RetrainActivities.ComputeOnlineMetrics), nameof(RetrainActivities.ExpireImpressions), nameof(RetrainActivities.ListPartitions), nameof(RetrainActivities.PurgeForgotten), nameof(RetrainActivities.RemoveStaleScratch), nameof(RetrainActivities.WriteRunRecord)],
            steps.Select(s => s.Tag("step")!).Order(StringComparer.Ordinal));
        Assert.All(steps, s => Assert.Equal("succeeded", s.Tag("outcome")));
        var quarantined = recorder.Of(ServerlessRecTelemetry.RetrainQuarantined).ToDictionary(q => q.Tag("reason")!, q => q.Value);
        Assert.Equal(new Dictionary<string, double> { [RejectionReasons.UnknownType] = 2, [RejectionReasons.InvalidJson] = 1 }, quarantined);
        Assert.Contains(recorder.AnyTraceActivities(a => a.OperationName == "retrain.Compact"), a => a.GetTagItem("step") as string == nameof(RetrainActivities.Compact));

        // Replay-safe: the orchestrator body runs again after every activity, yet each step is logged once.
        var orchestration = logs.Logs.Where(l => l.Category == typeof(RetrainOrchestration).FullName).ToList();
        foreach (var step in new[] { "purgeForgotten", "listPartitions", "compact", "buildDataset" })
        {
            Assert.Single(orchestration, l => l.EventId.Id == 3102 && l.Message.EndsWith($"step {step} started", StringComparison.Ordinal));
            Assert.Single(orchestration, l => l.EventId.Id == 3103 && l.Message.Contains($"step {step} finished in", StringComparison.Ordinal));
        }

        Assert.Single(orchestration, l => l.EventId.Id == 3105 && l.Message.Contains(": no-data", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Activate_FailsOnceThenSucceeds_RecordsBothStepOutcomesAndOneActivation()
    {
        var package = ModelPackageTests.ExportSmall("v-telemetry");
        await package.WriteAsync(_store);
        var publisher = new OnceFailingCountPublisher(package.Manifest.ItemCount);
        var activities = new RetrainActivities(_store, publisher, new TwoTowerOptions(), new EventTypeOptions(), new FakeTimeProvider(Now), _telemetry);
        using var recorder = new TelemetryRecorder(_telemetry);
        var input = new ActivateInput("v-telemetry", package.Manifest.ItemCount);

        await Assert.ThrowsAsync<IOException>(() => activities.MeasureStepAsync(nameof(RetrainActivities.Activate), a => a.Activate(input)));
        await activities.MeasureStepAsync(nameof(RetrainActivities.Activate), a => a.Activate(input));

        Assert.Equal("v-telemetry", (await ModelPointer.ReadAsync(_store)).Pointer!.Version);
        var steps = recorder.Of(ServerlessRecTelemetry.RetrainStepDuration);
        Assert.Equal(["failed", "succeeded"], steps.Select(s => s.Tag("outcome")));
        Assert.All(steps, s => Assert.Equal(nameof(RetrainActivities.Activate), s.Tag("step")));
        var activation = Assert.Single(recorder.Of(ServerlessRecTelemetry.ModelActivations));
        Assert.Equal("v-telemetry", activation.Tag("model.version"));
        Assert.Equal(ModelActivation.RetrainTrigger, activation.Tag("trigger"));
        Assert.Equal([ActivityStatusCode.Error, ActivityStatusCode.Unset], recorder.Activities("retrain.Activate").Select(a => a.Status));
    }

    /// <summary>An index that holds every item but answers its first count with an outage.</summary>
    private sealed class OnceFailingCountPublisher(long items) : IItemIndexPublisher
    {
        private int _calls;

        public Task CreateVersionAsync(string version, int dimensions, CancellationToken cancellationToken = default) => Task.CompletedTask;

        public Task UploadAsync(string version, IReadOnlyList<IndexedItem> items, CancellationToken cancellationToken = default) => Task.CompletedTask;

        public Task<long> CountAsync(string version, CancellationToken cancellationToken = default) =>
            Interlocked.Increment(ref _calls) == 1 ? throw new IOException("index service unavailable (simulated)") : Task.FromResult(items);

        public Task<IReadOnlyList<string>> ListVersionsAsync(CancellationToken cancellationToken = default) => Task.FromResult<IReadOnlyList<string>>([]);

        public Task<bool> DeleteVersionAsync(string version, CancellationToken cancellationToken = default) => Task.FromResult(false);

        public Task<IItemIndex> OpenAsync(string version, CancellationToken cancellationToken = default) => throw new NotSupportedException();
    }
}
