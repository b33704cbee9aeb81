using System.Text;
using System.Text.Json;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Testing;
using Microsoft.Extensions.Time.Testing;
using ServerlessRec.Core.Tests.Diagnostics;
using ServerlessRec.Diagnostics;
using ServerlessRec.Events;
using ServerlessRec.Pipeline;
using ServerlessRec.Retrieval;
using ServerlessRec.Serving;
using ServerlessRec.Storage;
using ServerlessRec.Tests.Durable;
using ServerlessRec.Training;

namespace ServerlessRec.Core.Tests.Pipeline;

/// <summary>The retraining's online-metrics step on the in-process Durable Task host: record, report and telemetry.</summary>
public sealed class OnlineMetricsRetrainTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2026, 3, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Served = new(2026, 2, 28, 10, 0, 0, TimeSpan.Zero);
    private readonly string _root = Path.Combine(Path.GetTempPath(), "srec-online-" + Guid.NewGuid().ToString("N"));
    private readonly LocalFolderBlobStore _store;
    private readonly ServerlessRecTelemetry _telemetry = new();

    public OnlineMetricsRetrainTests() => _store = new LocalFolderBlobStore(new StorageOptions { LocalRoot = _root });

    public void Dispose()
    {
        _telemetry.Dispose();
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    private async Task<RetrainOutcome> RunAsync(RetrainOptions options)
    {
        var time = new FakeTimeProvider(Now);
        await using var host = await TestDurableHost.StartAsync(tasks => { var datasets = new RetrainDatasetCache(); tasks.AddRetrain(() => new RetrainActivities(_store, new EmbeddedItemIndexPublisher(_store), new TwoTowerOptions(), new EventTypeOptions(), time, _telemetry, datasets: datasets)); });
        var id = await host.Client.ScheduleNewOrchestrationInstanceAsync(RetrainOrchestration.Name, RetrainInput.From("test", options, Now));
        var metadata = await host.Client.WaitForInstanceCompletionAsync(id, getInputsAndOutputs: true);
        Assert.Equal(OrchestrationRuntimeStatus.Completed, metadata.RuntimeStatus);
        return metadata.ReadOutputAs<RetrainOutcome>()!;
    }

    private async Task WriteLogsAsync()
    {
        // The live version's catalog: four items and their training popularity.
        await _store.WriteAsync(ContainerNames.Models, "v1/items.jsonl", Encoding.UTF8.GetBytes(
            """
            {"index":1,"id":"a","popularity":6}
            {"index":2,"id":"b","popularity":2}
            {"index":3,"id":"c","popularity":1}
            {"index":4,"id":"d","popularity":0}

            """));
        string r1 = RecommendationIds.New(Served), r2 = RecommendationIds.New(Served.AddSeconds(1));
        var impressions = new StringBuilder();
        foreach (var (id, items) in new[] { (r1, new[] { "a", "b" }), (r2, new[] { "c", "a" }) })
        {
            var record = new ImpressionRecord { RecommendationId = id, ServedAt = Served, UserHash = new string('0', 64), ModelVersion = "v1", Arm = "champion", Source = "history", ItemIds = items };
            impressions.Append(JsonSerializer.Serialize(record)).Append('\n');
        }

        await _store.AppendAsync(ContainerNames.Impressions, "2026/02/28/10/api-test.jsonl", Encoding.UTF8.GetBytes(impressions.ToString()));
        await _store.WriteAsync(ContainerNames.Events, "2026/02/28/10/api-test.jsonl", Encoding.UTF8.GetBytes(
            $$"""
            {"userId":"u1","itemId":"b","type":"click","timestamp":"2026-02-28T10:01:00Z","recommendationId":"{{r1}}","position":1}
            {"userId":"u2","itemId":"c","type":"purchase","timestamp":"2026-02-28T10:05:00Z","recommendationId":"{{r2}}"}
            {"userId":"u2","itemId":"a","type":"view","timestamp":"2026-02-28T10:06:00Z"}

            """));
    }

    [Fact]
    public async Task Retrain_ImpressionsAndAttributedEvents_PutOnlineMetricsInTheRecordReportAndTelemetry()
    {
        await WriteLogsAsync();
        using var recorder = new TelemetryRecorder(_telemetry);

        var outcome = await RunAsync(new RetrainOptions { FirstRetryInterval = TimeSpan.FromMilliseconds(20) });

        Assert.Equal(RunOutcome.NoData, outcome.Outcome);
        var record = JsonSerializer.Deserialize<RetrainRunRecord>((await _store.ReadAsync(ContainerNames.Runs, $"{outcome.RunId}.json"))!.Content.Span)!;
        Assert.Null(record.OnlineMetricsError);
        var online = record.OnlineMetrics!;
        Assert.Equal((Now.AddDays(-1), Now, 0L, 0L), (online.From, online.To, online.UnattributedEvents, online.UnreadableLines));
        var group = Assert.Single(online.Groups);
        Assert.Equal(("v1", "champion", "history"), (group.ModelVersion, group.Arm, group.Source));
        Assert.Equal((2L, 4L, 1L, 1L), (group.Recommendations, group.Impressions, group.ClicksAt10, group.Conversions));
        Assert.Equal(0.25, group.CtrAt10, 12);
        Assert.Equal((3, 4), (group.ExposedItems, group.CatalogItems));
        Assert.Equal(0.75, group.Coverage, 12);
        // a 2, b 1, c 1, d 0: sorted 0,1,1,2 → 2·13/(4·4) − 5/4 = 0.375.
        Assert.Equal(0.375, group.ExposureGini, 12);
        Assert.Equal((6 + 2 + 1 + 6) / 4.0, group.MeanPopularity, 12);
        Assert.Contains("onlineMetrics", record.StepSeconds.Keys);

        var report = Encoding.UTF8.GetString((await _store.ReadAsync(ContainerNames.Runs, $"{RetrainActivities.ReportsFolder}/{outcome.RunId}.html"))!.Content.Span);
        Assert.Contains("<h2>Online metrics</h2>", report, StringComparison.Ordinal);
        Assert.Contains("<td>v1</td><td>champion</td><td>history</td><td>2</td><td>4</td><td>1</td><td>25.00", report, StringComparison.Ordinal);

        var ctr = Assert.Single(recorder.Of(ServerlessRecTelemetry.OnlineCtr));
        Assert.Equal((0.25, "v1", "champion", "history"), (ctr.Value, ctr.Tag("model.version"), ctr.Tag("arm"), ctr.Tag("source")));
        Assert.Equal(4, Assert.Single(recorder.Of(ServerlessRecTelemetry.OnlineImpressions)).Value);
    }

    [Fact]
    public async Task Retrain_ImpressionDayFoldersPastTheRetention_AreDeletedAndRecentOnesKept()
    {
        await WriteLogsAsync();
        await _store.AppendAsync(ContainerNames.Impressions, "2026/01/29/23/api-test.jsonl", Encoding.UTF8.GetBytes("{}\n"));
        await _store.AppendAsync(ContainerNames.Impressions, "2026/01/30/00/api-test.jsonl", Encoding.UTF8.GetBytes("{}\n"));

        var outcome = await RunAsync(new RetrainOptions { ImpressionRetentionDays = 30, FirstRetryInterval = TimeSpan.FromMilliseconds(20) });

        var record = JsonSerializer.Deserialize<RetrainRunRecord>((await _store.ReadAsync(ContainerNames.Runs, $"{outcome.RunId}.json"))!.Content.Span)!;
        Assert.Equal(1, record.ImpressionBlobsExpired);
        var kept = new List<string>();
        await foreach (var blob in _store.ListAsync(ContainerNames.Impressions))
        {
            kept.Add(blob.Name);
        }

        // 30 whole days before 2026-03-01: 2026-01-30 is the oldest day kept.
        Assert.Equal(["2026/01/30/00/api-test.jsonl", "2026/02/28/10/api-test.jsonl"], kept.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Retrain_OnlineMetricsDaysZero_SkipsTheStep()
    {
        await WriteLogsAsync();

        var outcome = await RunAsync(new RetrainOptions { OnlineMetricsDays = 0, FirstRetryInterval = TimeSpan.FromMilliseconds(20) });

        var record = JsonSerializer.Deserialize<RetrainRunRecord>((await _store.ReadAsync(ContainerNames.Runs, $"{outcome.RunId}.json"))!.Content.Span)!;
        Assert.Null(record.OnlineMetrics);
        Assert.DoesNotContain("onlineMetrics", record.StepSeconds.Keys);
    }
}
