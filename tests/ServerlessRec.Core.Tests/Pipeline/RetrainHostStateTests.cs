using System.Text;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using ServerlessRec.Events;
using ServerlessRec.Http;
using ServerlessRec.Pipeline;
using ServerlessRec.Retrieval;
using ServerlessRec.Storage;
using ServerlessRec.Training;

namespace ServerlessRec.Core.Tests.Pipeline;

/// <summary>
/// The retraining's per-host state (the run's dataset cache, the start gate) belongs to a host: two hosts in one
/// process (two test hosts, serve next to a CLI run) neither see each other's dataset nor wait on each other's starts.
/// </summary>
public sealed class RetrainHostStateTests : IDisposable
{
    private const string Shard = RetrainActivities.WorkFolder + "/run-1/shard-0.jsonl";
    private readonly string _root = Path.Combine(Path.GetTempPath(), "srec-host-state-" + Guid.NewGuid().ToString("N"));
    private readonly LocalFolderBlobStore _store;

    public RetrainHostStateTests() => _store = new LocalFolderBlobStore(new StorageOptions { LocalRoot = _root });

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    [Fact]
    public void AddServingEndpoints_TwoHosts_EachGetsItsOwnCacheAndScheduler()
    {
        using var first = new ServiceCollection().AddServingEndpoints("a").BuildServiceProvider();
        using var second = new ServiceCollection().AddServingEndpoints("b").BuildServiceProvider();

        Assert.Same(first.GetRequiredService<RetrainDatasetCache>(), first.GetRequiredService<RetrainDatasetCache>());
        Assert.NotSame(first.GetRequiredService<RetrainDatasetCache>(), second.GetRequiredService<RetrainDatasetCache>());
        Assert.Same(first.GetRequiredService<RetrainScheduler>(), first.GetRequiredService<RetrainScheduler>());
        Assert.NotSame(first.GetRequiredService<RetrainScheduler>(), second.GetRequiredService<RetrainScheduler>());
    }

    [Fact]
    public async Task LoadAsync_DatasetCachedByAnotherHost_LoadsItsOwn()
    {
        await WriteShardAsync("u1", "u2");
        var firstHost = new RetrainDatasetCache();
        var secondHost = new RetrainDatasetCache();
        var cached = await CreateActivities(firstHost).LoadAsync([Shard]);

        // The same shard name with other events: only a host that cached nothing reads them.
        await WriteShardAsync("u1", "u2", "u3");
        var sameHost = await CreateActivities(firstHost).LoadAsync([Shard]);
        var otherHost = await CreateActivities(secondHost).LoadAsync([Shard]);

        Assert.Equal(2, cached.Data.UserCount);
        Assert.Same(cached.Data, sameHost.Data);
        Assert.Equal(3, otherHost.Data.UserCount);
    }

    [Fact]
    public async Task TryStart_AnotherHostsStartInProgress_DoesNotWaitForIt()
    {
        var firstClient = new BlockingClient();
        var secondClient = new BlockingClient();
        secondClient.Release.SetResult();
        var input = RetrainInput.From("test", new RetrainOptions(), new DateTimeOffset(2026, 3, 1, 0, 0, 0, TimeSpan.Zero));
        using var firstHost = new RetrainScheduler();
        using var secondHost = new RetrainScheduler();

        var blocked = firstHost.TryStartAsync(firstClient, input);
        await firstClient.Entered.Task.WaitAsync(TimeSpan.FromSeconds(5));
        var started = await secondHost.TryStartAsync(secondClient, input).WaitAsync(TimeSpan.FromSeconds(5));
        firstClient.Release.SetResult();
        await blocked.WaitAsync(TimeSpan.FromSeconds(5));

        Assert.True(started.Started);
        Assert.Equal(1, secondClient.Scheduled);
    }

    private RetrainActivities CreateActivities(RetrainDatasetCache datasets) =>
        new(_store, new EmbeddedItemIndexPublisher(_store), new TwoTowerOptions(), new EventTypeOptions(), new FakeTimeProvider(TestDatasets.Start), datasets: datasets);

    private async Task WriteShardAsync(params string[] users)
    {
        var lines = new StringBuilder();
        foreach (var user in users)
        {
            for (var i = 0; i < 3; i++)
            {
                lines.Append($$"""{"userId":"{{user}}","itemId":"i{{i}}","type":"view","timestamp":{{TestDatasets.Start.AddMinutes(i).ToUnixTimeSeconds()}}}""").Append('\n');
            }
        }

        await _store.WriteAsync(ContainerNames.Runs, Shard, Encoding.UTF8.GetBytes(lines.ToString()));
    }

    /// <summary>A client with no run, whose status query waits for <see cref="Release"/>: a start that holds its host's gate.</summary>
    private sealed class BlockingClient() : DurableTaskClient("blocking")
    {
        public TaskCompletionSource Entered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public int Scheduled { get; private set; }

        public override async Task<OrchestrationMetadata?> GetInstancesAsync(string instanceId, bool getInputsAndOutputs = false, CancellationToken cancellation = default)
        {
            Entered.TrySetResult();
            await Release.Task.WaitAsync(cancellation).ConfigureAwait(false);
            return null;
        }

        public override Task<string> ScheduleNewOrchestrationInstanceAsync(TaskName orchestratorName, object? input = null, StartOrchestrationOptions? options = null, CancellationToken cancellation = default)
        {
            Scheduled++;
            return Task.FromResult(options?.InstanceId ?? "started");
        }

        public override ValueTask DisposeAsync() => ValueTask.CompletedTask;

        public override AsyncPageable<OrchestrationMetadata> GetAllInstancesAsync(OrchestrationQuery? filter = null) => throw new NotSupportedException();

        public override Task RaiseEventAsync(string instanceId, string eventName, object? eventPayload = null, CancellationToken cancellation = default) => throw new NotSupportedException();

        public override Task ResumeInstanceAsync(string instanceId, string? reason = null, CancellationToken cancellation = default) => throw new NotSupportedException();

        public override Task SuspendInstanceAsync(string instanceId, string? reason = null, CancellationToken cancellation = default) => throw new NotSupportedException();

        public override Task<OrchestrationMetadata> WaitForInstanceCompletionAsync(string instanceId, bool getInputsAndOutputs = false, CancellationToken cancellation = default) => throw new NotSupportedException();

        public override Task<OrchestrationMetadata> WaitForInstanceStartAsync(string instanceId, bool getInputsAndOutputs = false, CancellationToken cancellation = default) => throw new NotSupportedException();
    }
}
