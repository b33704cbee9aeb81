using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using ServerlessRec.Core.Tests.Storage;
using ServerlessRec.Evaluation;
using ServerlessRec.Events;
using ServerlessRec.Onnx;
using ServerlessRec.Pipeline;
using ServerlessRec.Retrieval;
using ServerlessRec.Serving;
using ServerlessRec.Storage;
using ServerlessRec.Training;

namespace ServerlessRec.Core.Tests.Pipeline;

/// <summary>
/// The retraining activities one at a time, as data and time accumulate: the training window, the seed watermark,
/// future timestamps, stale scratch and the cleanup grace period. Fast: no training unless a model is needed.
/// </summary>
public sealed class RetrainActivitiesTests : IDisposable
{
    private static readonly DateTimeOffset RunStart = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
    private readonly string _root = Path.Combine(Path.GetTempPath(), "srec-activities-" + Guid.NewGuid().ToString("N"));
    private readonly LocalFolderBlobStore _inner;
    private readonly FaultInjectingBlobStore _store;
    private readonly FakeTimeProvider _time = new(RunStart);

    public RetrainActivitiesTests()
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

    private RetrainActivities CreateSut(IItemIndexPublisher? publisher = null) =>
        new(_store, publisher ?? new EmbeddedItemIndexPublisher(_store), new TwoTowerOptions { Dimensions = 8, HiddenDimensions = 8, Epochs = 1, Threads = 1 }, new EventTypeOptions(), _time);

    private static string Line(string user, string item, DateTimeOffset at, string type = "view") =>
        $$"""{"userId":"{{user}}","itemId":"{{item}}","type":"{{type}}","timestamp":"{{at.UtcDateTime:yyyy-MM-dd'T'HH:mm:ss'Z'}}"}""";

    private async Task WriteLogAsync(string name, params string[] lines) =>
        await _inner.WriteAsync(ContainerNames.Events, name, Encoding.UTF8.GetBytes(string.Join('\n', lines) + "\n"));

    /// <summary>One bulk file per user, in the day folder of its events: users u0..u(n-1), three events each.</summary>
    private async Task WriteBulkUsersAsync(string source, DateTimeOffset day, int users, int firstUser = 0)
    {
        var lines = new List<string>();
        for (var u = firstUser; u < firstUser + users; u++)
        {
            for (var e = 0; e < 3; e++)
            {
                lines.Add(Line($"u{u}", $"i{(u + e) % 7}", day.AddMinutes(e)));
            }
        }

        await WriteLogAsync($"{day.UtcDateTime:yyyy'/'MM'/'dd'/'HH}/{source}.jsonl", [.. lines]);
    }

    private static async Task<(List<CompactResult> Compacted, SeedResult Seeded)> ListCompactSeedAsync(RetrainActivities activities, string runId, int windowDays = 30)
    {
        var blobs = await activities.ListPartitions(new ListPartitionsInput(runId, RunStart, windowDays, 3600));
        var compacted = new List<CompactResult>();
        for (var i = 0; i < blobs.Count; i++)
        {
            compacted.Add(await activities.Compact(new CompactInput(runId, i, [blobs[i]], RunStart.AddHours(1))));
        }

        var seeded = await activities.SeedHistories(new SeedInput(runId, [.. compacted.Select(c => c.ShardBlob)], [.. compacted.Select(c => c.SeedUsersBlob).OfType<string>()], RetrainActivities.WindowStart(RunStart, windowDays)));
        return (compacted, seeded);
    }

    [Fact]
    public async Task ListPartitions_WindowOfDays_ListsOnlyTheDayFoldersInsideIt()
    {
        await WriteBulkUsersAsync("old", RunStart.AddDays(-40), users: 2);
        await WriteBulkUsersAsync("recent", RunStart.AddDays(-3), users: 2);
        await WriteBulkUsersAsync("today", RunStart.AddHours(-2), users: 2);
        var listings = _store.Count("listing", c => c.Operation == BlobOperation.List && c.Container == ContainerNames.Events);
        var whole = _store.Count("whole-container listing", c => c.Operation == BlobOperation.List && c.Container == ContainerNames.Events && c.Name.Length == 0);

        var blobs = await CreateSut().ListPartitions(new ListPartitionsInput("r1", RunStart, WindowDays: 30, FutureSkewSeconds: 3600));

        Assert.Equal(["recent.jsonl", "today.jsonl"], blobs.Select(b => b.Name[(b.Name.LastIndexOf('/') + 1)..]));
        Assert.Equal(0, whole.Matched);
        Assert.Equal(31, listings.Matched); // one prefix per day: 30 days back to the run's own day
    }

    [Fact]
    public async Task ListPartitions_WindowZero_ListsEveryLogBlob()
    {
        await WriteBulkUsersAsync("old", RunStart.AddDays(-400), users: 2);
        await WriteBulkUsersAsync("recent", RunStart.AddDays(-3), users: 2);

        var blobs = await CreateSut().ListPartitions(new ListPartitionsInput("r1", RunStart, WindowDays: 0, FutureSkewSeconds: 3600));

        Assert.Equal(2, blobs.Count);
    }

    [Fact]
    public async Task Compact_LogBlobOutsideTheWindow_IsNotRead()
    {
        await WriteBulkUsersAsync("old", RunStart.AddDays(-200), users: 2);
        await WriteBulkUsersAsync("recent", RunStart.AddDays(-3), users: 2);
        var oldReads = _store.Count("old blob read", c => c.Container == ContainerNames.Events && c.Name.EndsWith("/old.jsonl", StringComparison.Ordinal) && c.Operation is BlobOperation.Read or BlobOperation.OpenRead);

        var (compacted, _) = await ListCompactSeedAsync(CreateSut(), "r1", windowDays: 180);

        Assert.Equal(0, oldReads.Matched);
        Assert.Equal(6, compacted.Sum(c => c.Accepted));
    }

    [Fact]
    public async Task SeedHistories_SecondRunWithWatermark_SeedsOnlyTheUsersOfTheNewBulkFile()
    {
        await WriteBulkUsersAsync("bulk-1", RunStart.AddDays(-5), users: 40);
        await WriteLogAsync($"{RunStart.AddDays(-4).UtcDateTime:yyyy'/'MM'/'dd'/'HH}/api-instance1.jsonl", Line("u90", "i1", RunStart.AddDays(-4)));
        var activities = CreateSut();
        var (_, first) = await ListCompactSeedAsync(activities, "r1");
        await WriteBulkUsersAsync("bulk-2", RunStart.AddDays(-1), users: 3, firstUser: 100);
        var historyWrites = _store.Count("history write", c => c.Operation == BlobOperation.Write && c.Container == ContainerNames.Users);

        var blobs = await activities.ListPartitions(new ListPartitionsInput("r2", RunStart, 30, 3600));
        var (_, second) = await ListCompactSeedAsync(activities, "r2");

        // The API log's user (u90) is never seeded: its events reached the history when posted.
        Assert.Equal(40, first.SeededUsers);
        Assert.Equal(["bulk-2.jsonl"], blobs.Where(b => b.Seed).Select(b => b.Name[(b.Name.LastIndexOf('/') + 1)..]));
        Assert.Equal(3, second.SeededUsers);
        Assert.Equal(3, historyWrites.Matched);
        Assert.Empty((await new UserHistoryStore(_inner).ReadAsync("u90")).Events);
        Assert.Equal(3, (await new UserHistoryStore(_inner).ReadAsync("u101")).Events.Count);
    }

    [Fact]
    public async Task SeedHistories_ApiPostWhoseHistoryUpdateFailed_SeedsThatUserAtTheNextRunOnce()
    {
        // A keyless post whose history write fails after the log append: the answer says the next retraining catches up.
        var posted = RunStart.AddDays(-1);
        var u7HistoryBlob = UserHistoryStore.BlobName(await UserIdHasherProvider.LoadOrCreateAsync(_inner), "u7");
        var failing = _store.Fail("u7's history write", c => c.Operation == BlobOperation.Write && c.Container == ContainerNames.Users && c.Name == u7HistoryBlob, failures: 1);
        using (var harness = new Http.EndpointHarness(_store, new FakeTimeProvider(posted)))
        {
            var answer = await harness.SendAsync("PostEvents", $$"""{"events":[{"userId":"u7","itemId":"i3","type":"like","timestamp":"{{posted.UtcDateTime:yyyy-MM-dd'T'HH:mm:ss'Z'}}"}]}""");
            Assert.Equal(503, answer.Status);
            Assert.Contains("The next retraining brings these histories up to date", answer.Body, StringComparison.Ordinal);
        }

        var activities = CreateSut();
        var (_, first) = await ListCompactSeedAsync(activities, "r1");
        var (_, second) = await ListCompactSeedAsync(activities, "r2");

        Assert.Equal(1, failing.Injected);
        Assert.Equal(1, first.SeededUsers);
        Assert.Equal("i3", Assert.Single((await new UserHistoryStore(_inner).ReadAsync("u7")).Events).ItemId);
        Assert.Equal(0, second.SeededUsers);
        Assert.Empty(await ApiEventLog.ReadHistoryRepairsAsync(_inner));
    }

    [Fact]
    public async Task Train_CrashDuringTheTuningPhase_RetryResumesAtTheNextEpoch()
    {
        // Above RefitMaxEvents the tuning phase is the only training: a crash in it must not start it over.
        var day = RunStart.AddDays(-2);
        await WriteLogAsync(
            $"{day.UtcDateTime:yyyy'/'MM'/'dd'/'HH}/bulk-train.jsonl",
            [.. Enumerable.Range(0, 30).SelectMany(u => Enumerable.Range(0, 8).Select(e => Line($"u{u}", $"i{(u + (e * 3)) % 10}", day.AddMinutes((u * 10) + e))))]);
        var (compacted, _) = await ListCompactSeedAsync(CreateSut(), "r1");
        var shards = new ShardsInput("r1", [.. compacted.Select(c => c.ShardBlob)]);
        var options = new TwoTowerOptions { Dimensions = 8, HiddenDimensions = 8, Epochs = 4, Patience = 10, RefitMaxEvents = 0, EarlyStoppingUsers = 0, Threads = 1 };
        var currentWrites = 0;
        var crash = _store.Fail("the third epoch's checkpoint", c => c.Operation == BlobOperation.Write && c.Name.EndsWith("/tuning-current.ckpt", StringComparison.Ordinal) && ++currentWrites == 3, failures: 1);

        await Assert.ThrowsAnyAsync<Exception>(() => new RetrainActivities(_store, new EmbeddedItemIndexPublisher(_store), options, new EventTypeOptions(), _time).Train(shards));
        var result = await new RetrainActivities(_store, new EmbeddedItemIndexPublisher(_store), options, new EventTypeOptions(), _time).Train(shards);

        Assert.Equal(1, crash.Injected);
        // Epochs 1 and 2 before the crash, 3 (failed to save), then 3 and 4 on the retry: a restart would have written 7.
        Assert.Equal(5, currentWrites);
        Assert.Equal(4, result.Losses.Count);
        Assert.Equal(4, result.ValidationCurve.Count);
        Assert.Equal(result.TunedCheckpoint, result.FinalCheckpoint);
    }

    private static readonly TwoTowerOptions GateOptions = new() { Dimensions = 8, HiddenDimensions = 8, HistoryLength = 8, BatchSize = 32, Epochs = 3, Patience = 3, EarlyStoppingUsers = 0, SampledNegatives = 4, Threads = 1 };

    /// <summary>
    /// 40 users in two taste groups of 12 items, 9 distinct items each (every third user skips one of the other group),
    /// logged, compacted and seeded; the newest positive of each user is the gate slice.
    /// </summary>
    private async Task<(RetrainActivities Activities, ShardsInput Shards, List<(string User, string Item, string Type, DateTimeOffset At)> Events)> GateRunAsync()
    {
        var day = RunStart.AddDays(-2);
        var random = new Random(7);
        var events = new List<(string User, string Item, string Type, DateTimeOffset At)>();
        for (var u = 0; u < 40; u++)
        {
            var group = u % 2;
            var items = Enumerable.Range(0, 12).Select(i => $"i{(group * 12) + i}").OrderBy(_ => random.Next()).Take(9).ToList();
            for (var e = 0; e < items.Count; e++)
            {
                var skip = e == 4 && u % 3 == 0;
                events.Add(($"u{u}", skip ? $"i{((1 - group) * 12) + random.Next(12)}" : items[e], skip ? "skip" : "view", day.AddMinutes((u * 20) + e)));
            }
        }

        await WriteLogAsync($"{day.UtcDateTime:yyyy'/'MM'/'dd'/'HH}/bulk-gate.jsonl", [.. events.Select(x => Line(x.User, x.Item, x.At, x.Type))]);
        var activities = new RetrainActivities(_store, new EmbeddedItemIndexPublisher(_store), GateOptions, new EventTypeOptions(), _time);
        var (compacted, _) = await ListCompactSeedAsync(activities, "r1");
        return (activities, new ShardsInput("r1", [.. compacted.Select(c => c.ShardBlob)]), events);
    }

    [Fact]
    public async Task Evaluate_GateUsersBelowTheUserCount_ScoresCandidateAndPopularityOnTheSameFixedSample()
    {
        var (activities, shards, _) = await GateRunAsync();
        var trained = await activities.Train(shards);
        var sampled = GateOptions.Clone();
        sampled.GateUsers = 15;
        var gateOnSample = new RetrainActivities(_store, new EmbeddedItemIndexPublisher(_store), sampled, new EventTypeOptions(), _time);

        var all = await activities.Evaluate(new EvaluateInput("r1", shards.Shards, trained.FinalCheckpoint, PromotionMargin: 0.01));
        var sample = await gateOnSample.Evaluate(new EvaluateInput("r1", shards.Shards, trained.FinalCheckpoint, PromotionMargin: 0.01));

        var shipped = TwoTowerCheckpoint.FromBytes((await _inner.ReadAsync(ContainerNames.Runs, trained.FinalCheckpoint))!.Content.Span).Result;
        var (data, _, _, _) = await activities.LoadAsync(shards.Shards);
        var users = RetrainActivities.UserSample(LeaveLastOutSplit.Create(data), 15, sampled.Seed);
        Assert.Equal(40, all.Candidate.Users);
        Assert.Equal(15, sample.Candidate.Users);
        Assert.Equal(15, sample.Popularity.Users);
        Assert.Equal(RankingEvaluator.Evaluate(users, HeldOut.Test, new TwoTowerScorer(shipped, data, sampled)).NdcgAt10, sample.Candidate.NdcgAt10);
    }

    [Fact]
    public async Task Train_Refit_IsTrainedOnEveryEventButEachUsersTestEvent()
    {
        var (activities, shards, _) = await GateRunAsync();

        var trained = await activities.Train(shards);

        var shipped = TwoTowerCheckpoint.FromBytes((await _inner.ReadAsync(ContainerNames.Runs, trained.FinalCheckpoint))!.Content.Span).Result;
        var (data, _, _, _) = await activities.LoadAsync(shards.Shards);
        var split = LeaveLastOutSplit.Create(data);
        var refit = new TuneThenRefit(GateOptions).RefitOptions(trained.BestEpoch, trained.Averaged);
        var withoutTest = new TwoTowerTrainer(refit).Train(data, split.AllButTestEnds).Model;
        var withTest = new TwoTowerTrainer(refit).Train(data, TestDatasets.AllEvents(data)).Model;
        Assert.Equal(withoutTest.ItemEmbeddings, shipped.ItemEmbeddings);
        Assert.Equal(withoutTest.W1, shipped.W1);
        Assert.NotEqual(withTest.ItemEmbeddings, shipped.ItemEmbeddings);
    }

    [Fact]
    public async Task Evaluate_ShippedModel_GateScoreEqualsTheExportedModelOnTestEventsItNeverTrainedOn()
    {
        var (activities, shards, events) = await GateRunAsync();
        var options = GateOptions;

        var trained = await activities.Train(shards);
        var gate = await activities.Evaluate(new EvaluateInput("r1", shards.Shards, trained.FinalCheckpoint, PromotionMargin: 0.01));
        await activities.ExportOnnx(new ExportInput("r1", shards.Shards, trained.FinalCheckpoint, "v-gate", gate, RunStart));

        // An independent evaluation: the dataset rebuilt from the events, the exported package through ONNX.
        var builder = new InteractionDatasetBuilder(new EventTypeOptions(), options.FeatureBuckets);
        foreach (var (user, item, type, at) in events)
        {
            builder.Add(new InteractionEvent(user, item, type, at));
        }

        var data = builder.Build();
        var split = LeaveLastOutSplit.Create(data);
        using var exported = await ServingModel.LoadAsync(_inner, "v-gate");
        var independent = RankingEvaluator.Evaluate(split, HeldOut.Test, new ServingModelScorer(exported, data));
        var tunedOnValidation = RankingEvaluator.Evaluate(split, HeldOut.Validation, new TwoTowerScorer(TwoTowerCheckpoint.FromBytes((await _inner.ReadAsync(ContainerNames.Runs, trained.TunedCheckpoint))!.Content.Span).Model, data, options));

        Assert.NotEqual(trained.TunedCheckpoint, trained.FinalCheckpoint);
        Assert.Equal(40, gate.Candidate.Users);
        Assert.Equal(0, gate.Candidate.RepeatTargetsDropped);
        Assert.Equal(independent.Users, gate.Candidate.Users);
        Assert.Equal(independent.HitRateAt10, gate.Candidate.HitRateAt10, 9);
        Assert.Equal(independent.NdcgAt10, gate.Candidate.NdcgAt10, 6);
        Assert.Equal(independent.Mrr, gate.Candidate.Mrr, 6);
        Assert.NotEqual(tunedOnValidation.Mrr, gate.Candidate.Mrr, 6);
        Assert.Equal(gate.Candidate, Assert.Single(exported.Manifest.Metrics, m => m.Key == ModelMetricKeys.Model).Value);
    }

    [Fact]
    public void UserSample_MoreUsersThanTheSample_IsAFixedSampleOfThatSize()
    {
        var data = TestDatasets.Clustered(users: 200, items: 30, eventsPerUser: 6, seed: 9);
        var split = LeaveLastOutSplit.Create(data);

        var first = RetrainActivities.UserSample(split, users: 50, seed: 42);
        var again = RetrainActivities.UserSample(split, users: 50, seed: 42);
        var all = RetrainActivities.UserSample(split, users: 0, seed: 42);

        Assert.Equal(200, split.Users.Length);
        Assert.Equal(50, first.Users.Length);
        Assert.Equal(first.Users, again.Users);
        Assert.Same(split, all);
    }

    [Fact]
    public async Task SeedHistories_ReplacedBulkFile_IsSeededAgain()
    {
        await WriteBulkUsersAsync("bulk-1", RunStart.AddDays(-5), users: 4);
        var activities = CreateSut();
        await ListCompactSeedAsync(activities, "r1");
        await WriteBulkUsersAsync("bulk-1", RunStart.AddDays(-5), users: 2, firstUser: 50);

        var (_, second) = await ListCompactSeedAsync(activities, "r2");

        Assert.Equal(2, second.SeededUsers);
    }

    [Fact]
    public async Task SeedHistories_OneUsersHistoryWriteFails_QuarantinesThatUserByHashAndSeedsTheOthers()
    {
        await WriteBulkUsersAsync("bulk-1", RunStart.AddDays(-5), users: 5);
        var u3HistoryBlob = UserHistoryStore.BlobName(await UserIdHasherProvider.LoadOrCreateAsync(_inner), "u3");
        _store.Fail("u3's history write", c => c.Operation == BlobOperation.Write && c.Container == ContainerNames.Users && c.Name == u3HistoryBlob);
        var activities = CreateSut();

        var (_, seeded) = await ListCompactSeedAsync(activities, "r1");

        Assert.Equal(4, seeded.SeededUsers);
        Assert.Equal(1, seeded.QuarantinedUsers);
        var quarantine = Encoding.UTF8.GetString((await _inner.ReadAsync(ContainerNames.Quarantine, $"r1/{RetrainActivities.QuarantinedUsersFile}"))!.Content.Span);
        using var line = JsonDocument.Parse(quarantine.Trim());
        Assert.Equal((await UserIdHasherProvider.LoadOrCreateAsync(_inner)).ForLogs("u3"), line.RootElement.GetProperty("userHash").GetString());
        Assert.Equal("seedHistories", line.RootElement.GetProperty("step").GetString());
        Assert.Contains("UserHistoryStorageException", line.RootElement.GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain("\"u3\"", quarantine, StringComparison.Ordinal);

        // The blob holding u3's events stays out of the watermark: the next run tries u3 again (and only its blob).
        _store.Fail("nothing", _ => false);
        var retried = await ListCompactSeedAsync(CreateSut(), "r2");
        Assert.Equal(5, retried.Seeded.SeededUsers + retried.Seeded.QuarantinedUsers);
    }

    [Fact]
    public async Task SeedHistories_MostUsersFail_FailsTheStepAsAnOutage()
    {
        await WriteBulkUsersAsync("bulk-1", RunStart.AddDays(-5), users: 30);
        _store.Fail("every history write", c => c.Operation == BlobOperation.Write && c.Container == ContainerNames.Users);

        await Assert.ThrowsAsync<IOException>(() => ListCompactSeedAsync(CreateSut(), "r1"));
        Assert.Null(await _inner.ReadAsync(ContainerNames.Runs, SeedWatermark.BlobName));
    }

    [Fact]
    public async Task Compact_EventLaterThanRunStartPlusSkew_IsQuarantinedAsFutureTimestamp()
    {
        var name = $"{RunStart.AddDays(-1).UtcDateTime:yyyy'/'MM'/'dd'/'HH}/bulk-1.jsonl";
        await WriteLogAsync(name, Line("u1", "i1", RunStart.AddDays(-1)), Line("u1", "i2", new DateTimeOffset(2099, 1, 1, 0, 0, 0, TimeSpan.Zero)), Line("u1", "i3", RunStart.AddMinutes(30)));

        var result = await CreateSut().Compact(new CompactInput("r1", 0, [new LogBlob(name, "e", Seed: false)], RunStart.AddHours(1)));

        Assert.Equal(2, result.Accepted);
        Assert.Equal(1, result.Rejected);
        Assert.Equal(1, result.RejectedByReason[RejectionReasons.FutureTimestamp]);
        var quarantined = Encoding.UTF8.GetString((await _inner.ReadAsync(ContainerNames.Quarantine, QuarantineWriter.BlobName("r1", $"{ContainerNames.Events}/{name}")))!.Content.Span);
        using var line = JsonDocument.Parse(quarantined.Trim());
        Assert.Equal(2, line.RootElement.GetProperty("line").GetInt64());
        Assert.Equal(RejectionReasons.FutureTimestamp, line.RootElement.GetProperty("reason").GetString());
    }

    [Fact]
    public async Task RemoveStaleScratch_OtherRunsScratch_IsDeletedAndItsOwnKeptOnARetry()
    {
        await _inner.WriteAsync(ContainerNames.Runs, $"{RetrainActivities.WorkFolder}/crashed/shard-00000.jsonl", new byte[] { 1 });
        await _inner.WriteAsync(ContainerNames.Runs, $"{RetrainActivities.WorkFolder}/crashed/final.ckpt", new byte[] { 2 });
        await _inner.WriteAsync(ContainerNames.Runs, $"{RetrainActivities.WorkFolder}/current/shard-00000.jsonl", new byte[] { 3 });
        await _inner.WriteAsync(ContainerNames.Runs, "crashed-but-recorded.json", new byte[] { 4 });
        var activities = CreateSut();

        var first = await activities.RemoveStaleScratch(new ScratchInput("current"));
        var retried = await activities.RemoveStaleScratch(new ScratchInput("current"));

        Assert.Equal(2, first);
        Assert.Equal(0, retried);
        var left = new List<string>();
        await foreach (var blob in _inner.ListAsync(ContainerNames.Runs))
        {
            left.Add(blob.Name);
        }

        Assert.Equal(["crashed-but-recorded.json", $"{RetrainActivities.WorkFolder}/current/shard-00000.jsonl"], left);
    }

    [Fact]
    public async Task Cleanup_KeepOneRightAfterActivation_KeepsThePreviouslyLiveVersionUntilTheGracePeriodEnds()
    {
        await PublishAsync("v1");
        await ModelActivation.ActivateAsync(_inner, "v1", RunStart.AddDays(-1));
        await PublishAsync("v2");
        await ModelActivation.ActivateAsync(_inner, "v2", RunStart);
        var publisher = new RecordingPublisher(new EmbeddedItemIndexPublisher(_inner));
        var activities = CreateSut(publisher);

        await activities.Cleanup(new CleanupInput(KeepVersions: 1, GraceSeconds: 600));

        // Instances that have not yet re-read the pointer still answer from v1's index.
        Assert.Empty(publisher.Deleted);
        using (var stillServing = await ServingModel.LoadAsync(_inner, "v1"))
        {
            Assert.Equal("v1", stillServing.Manifest.Version);
        }

        _time.Advance(TimeSpan.FromMinutes(11));
        await activities.Cleanup(new CleanupInput(KeepVersions: 1, GraceSeconds: 600));

        Assert.Equal(["v1"], publisher.Deleted);
        Assert.Null(await ModelPackage.ReadManifestAsync(_inner, "v1"));
        Assert.NotNull(await ModelPackage.ReadManifestAsync(_inner, "v2"));
    }

    [Fact]
    public async Task Cleanup_OlderVersionsThanThePrevious_AreDeletedAtOnce()
    {
        foreach (var (version, day) in new[] { ("v1", -3), ("v2", -2), ("v3", 0) })
        {
            await PublishAsync(version);
            await ModelActivation.ActivateAsync(_inner, version, RunStart.AddDays(day));
        }

        var publisher = new RecordingPublisher(new EmbeddedItemIndexPublisher(_inner));

        await CreateSut(publisher).Cleanup(new CleanupInput(KeepVersions: 1, GraceSeconds: 600));

        Assert.Equal(["v1"], publisher.Deleted);
    }

    [Fact]
    public void LiveDataCutoff_CutoffLaterThanTheModelsExport_IsClampedToTheExport()
    {
        // A model exported before cutoffs were clamped: one event dated 2099 made its cutoff 2099.
        var created = new DateTimeOffset(2026, 2, 1, 0, 0, 0, TimeSpan.Zero);
        var manifest = Export(RunStart, dataCutoffNotAfter: null).Manifest with
        {
            Created = created,
            Training = new Dictionary<string, double> { [ModelExporter.DataCutoffKey] = new DateTimeOffset(2099, 1, 1, 0, 0, 0, TimeSpan.Zero).ToUnixTimeSeconds() },
        };

        Assert.Equal(created.ToUnixTimeSeconds(), RetrainActivities.LiveDataCutoff(manifest));
    }

    [Fact]
    public void Export_DataCutoffNotAfter_ClampsTheRecordedCutoff()
    {
        var package = Export(RunStart, dataCutoffNotAfter: RunStart);

        Assert.Equal(RunStart.ToUnixTimeSeconds(), (long)package.Manifest.Training[ModelExporter.DataCutoffKey]);
    }

    /// <summary>A tiny model whose newest event is 70 years after <see cref="TestDatasets.Start"/>.</summary>
    private static ModelPackage Export(DateTimeOffset created, DateTimeOffset? dataCutoffNotAfter)
    {
        var data = TestDatasets.Build([("u1", "a", "view", 1), ("u1", "b", "view", 2), ("u2", "a", "view", 60 * 24 * 365 * 70)]);
        var options = new TwoTowerOptions { Dimensions = 4, HiddenDimensions = 4, HistoryLength = 4, BatchSize = 4, Epochs = 1, Threads = 1, SampledNegatives = 2 };
        var model = new TwoTowerTrainer(options).Train(data, TestDatasets.AllEvents(data)).Model;
        return ModelExporter.Export(model, data, options, new EventTypeOptions(), "v", created, dataCutoffNotAfter: dataCutoffNotAfter);
    }

    private async Task PublishAsync(string version)
    {
        var data = TestDatasets.Clustered(users: 12, items: 10, eventsPerUser: 6, seed: 5);
        var options = new TwoTowerOptions { Dimensions = 4, HiddenDimensions = 4, HistoryLength = 4, BatchSize = 8, Epochs = 1, Threads = 1, SampledNegatives = 2 };
        var model = new TwoTowerTrainer(options).Train(data, TestDatasets.AllEvents(data)).Model;
        await ModelExporter.Export(model, data, options, new EventTypeOptions(), version, RunStart).WriteAsync(_inner);
    }

    [Fact]
    public async Task IndexItems_Slices_ReadOnlyTheirVectorsAndNotTheWholePackage()
    {
        await PublishAsync("v1");
        var manifest = (await ModelPackage.ReadManifestAsync(_inner, "v1"))!;
        var package = await ModelPackage.ReadAsync(_inner, "v1");
        var expected = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(package.Artifact(ModelManifest.ItemVectorsFile)).ToArray();
        var wholeReads = _store.Count("whole artefact read", c => c.Operation == BlobOperation.Read && c.Container == ContainerNames.Models && (c.Name.EndsWith("/" + ModelManifest.ItemVectorsFile, StringComparison.Ordinal) || c.Name.EndsWith("/" + ModelManifest.UserTowerFile, StringComparison.Ordinal)));
        var publisher = new RecordingPublisher(new EmbeddedItemIndexPublisher(_inner));
        var activities = CreateSut(publisher);

        await activities.IndexItems(new IndexItemsInput("v1", 0, 4));
        await activities.IndexItems(new IndexItemsInput("v1", 4, manifest.ItemCount - 4));

        Assert.Equal(0, wholeReads.Matched);
        var items = ModelExporter.ReadItems(package.Artifact(ModelManifest.ItemsFile));
        Assert.Equal(items.Select(i => i.ItemId), publisher.Uploaded.Select(i => i.ItemId));
        var d = manifest.Dimensions;
        Assert.All(publisher.Uploaded.Zip(items), pair => Assert.Equal(expected.AsSpan((pair.Second.Index - 1) * d, d).ToArray(), pair.First.Vector.ToArray()));
    }

    /// <summary>Records which versions' indexes were deleted and which items were uploaded.</summary>
    private sealed class RecordingPublisher(IItemIndexPublisher inner) : IItemIndexPublisher
    {
        public List<string> Deleted { get; } = [];

        public List<IndexedItem> Uploaded { get; } = [];

        public Task CreateVersionAsync(string version, int dimensions, CancellationToken cancellationToken = default) => inner.CreateVersionAsync(version, dimensions, cancellationToken);

        public Task UploadAsync(string version, IReadOnlyList<IndexedItem> items, CancellationToken cancellationToken = default)
        {
            Uploaded.AddRange(items);
            return inner.UploadAsync(version, items, cancellationToken);
        }

        public Task<long> CountAsync(string version, CancellationToken cancellationToken = default) => inner.CountAsync(version, cancellationToken);

        public Task<IReadOnlyList<string>> ListVersionsAsync(CancellationToken cancellationToken = default) => inner.ListVersionsAsync(cancellationToken);

        public Task<bool> DeleteVersionAsync(string version, CancellationToken cancellationToken = default)
        {
            lock (Deleted)
            {
                Deleted.Add(version);
            }

            return inner.DeleteVersionAsync(version, cancellationToken);
        }

        public Task<IItemIndex> OpenAsync(string version, CancellationToken cancellationToken = default) => inner.OpenAsync(version, cancellationToken);
    }
}
