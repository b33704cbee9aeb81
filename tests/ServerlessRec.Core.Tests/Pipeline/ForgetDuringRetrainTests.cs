using System.Text;
using Microsoft.Extensions.Time.Testing;
using ServerlessRec.Events;
using ServerlessRec.Pipeline;
using ServerlessRec.Retrieval;
using ServerlessRec.Serving;
using ServerlessRec.Storage;
using ServerlessRec.Training;

namespace ServerlessRec.Core.Tests.Pipeline;

/// <summary>A forget that lands while a retraining runs is not undone by the run's seeding of serving histories.</summary>
public sealed class ForgetDuringRetrainTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "srec-forget-retrain-" + Guid.NewGuid().ToString("N"));
    private readonly LocalFolderBlobStore _store;

    public ForgetDuringRetrainTests() => _store = new LocalFolderBlobStore(new StorageOptions { LocalRoot = _root });

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    [Fact]
    public async Task SeedHistories_ForgetBetweenBuildDatasetAndSeeding_HistoryStaysForgotten()
    {
        var lines = new StringBuilder();
        foreach (var user in new[] { "stays", "leaves" })
        {
            for (var i = 0; i < 5; i++)
            {
                lines.Append($$"""{"userId":"{{user}}","itemId":"i{{i}}","type":"view","timestamp":"{{TestDatasets.Start.AddMinutes(i):O}}"}""").Append('\n');
            }
        }

        await _store.WriteAsync(ContainerNames.Events, "2026/01/01/00/bulk-test.jsonl", Encoding.UTF8.GetBytes(lines.ToString()));
        var time = new FakeTimeProvider(TestDatasets.Start.AddDays(1));
        var activities = new RetrainActivities(_store, new EmbeddedItemIndexPublisher(_store), new TwoTowerOptions(), new EventTypeOptions(), time);
        var logs = await activities.ListPartitions(new ListPartitionsInput("run", time.GetUtcNow(), WindowDays: 0, FutureSkewSeconds: 3600));
        var compacted = await activities.Compact(new CompactInput("run", 0, logs, time.GetUtcNow().AddHours(1)));
        var shard = compacted.ShardBlob;
        var dataset = await activities.BuildDataset(new ShardsInput("run", [shard]));
        var histories = new UserHistoryStore(_store);

        await new ForgottenUsers(_store, histories, time).ForgetAsync("leaves");
        var seeded = (await activities.SeedHistories(new SeedInput("run", [shard], [compacted.SeedUsersBlob!], WindowStart: null))).SeededUsers;

        Assert.Equal(2, dataset.Users);
        Assert.Equal(2, seeded);
        Assert.Equal(5, (await histories.ReadAsync("stays")).Events.Count);
        var forgotten = await histories.ReadAsync("leaves");
        Assert.Empty(forgotten.Events);
        Assert.Equal(time.GetUtcNow(), forgotten.ForgottenAt);
    }
}
