using System.IO.Compression;
using System.Text;
using System.Text.Json;
using Microsoft.DurableTask.Testing;
using Microsoft.Extensions.Time.Testing;
using ServerlessRec.Events;
using ServerlessRec.Retrieval;
using ServerlessRec.Tests.Durable;
using ServerlessRec.Training;
using ServerlessRec.Core.Tests.Storage;
using ServerlessRec.Pipeline;
using ServerlessRec.Serving;
using ServerlessRec.Storage;

namespace ServerlessRec.Core.Tests.Pipeline;

public sealed class ForgottenEventPurgerTests : IDisposable
{
    private static readonly DateTimeOffset ForgottenAt = new(2026, 2, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset RunStart = new(2026, 3, 1, 0, 30, 0, TimeSpan.Zero);

    private readonly string _root = Path.Combine(Path.GetTempPath(), "srec-purge-" + Guid.NewGuid().ToString("N"));
    private readonly LocalFolderBlobStore _local;
    private readonly FaultInjectingBlobStore _store;

    public ForgottenEventPurgerTests()
    {
        _local = new LocalFolderBlobStore(new StorageOptions { LocalRoot = _root });
        _store = new FaultInjectingBlobStore(_local);
    }

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    private static string Json(string user, string item, string timestamp) =>
        $"{{\"userId\":\"{user}\",\"itemId\":\"{item}\",\"type\":\"view\",\"timestamp\":\"{timestamp}\"}}\n";

    private static byte[] Gzip(string text)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true))
        {
            gzip.Write(Encoding.UTF8.GetBytes(text));
        }

        return output.ToArray();
    }

    private static string Gunzip(ReadOnlyMemory<byte> content)
    {
        using var input = new GZipStream(new MemoryStream(content.ToArray()), CompressionMode.Decompress);
        using var reader = new StreamReader(input, Encoding.UTF8);
        return reader.ReadToEnd();
    }

    private async Task<string> TextAsync(string container, string name) =>
        Encoding.UTF8.GetString((await _local.ReadAsync(container, name))!.Content.Span);

    private Task<bool> ForgetAsync(string userId, DateTimeOffset? at = null) =>
        new ForgottenUsers(_local, new UserHistoryStore(_local), new FakeTimeProvider(at ?? ForgottenAt)).ForgetAsync(userId);

    private Task<PurgeForgottenResult> PurgeAsync(DateTimeOffset? runStart = null) => new ForgottenEventPurger(_store).PurgeAsync(runStart ?? RunStart);

    // Alice is forgotten on 1 February; her line of 15 February is a new profile's and stays.
    private static readonly string AliceBefore = Json("alice", "i1", "2026-01-10T08:00:00Z");
    private static readonly string AliceAfter = Json("alice", "i9", "2026-02-15T08:00:00Z");
    private static readonly string Bob1 = Json("bob", "i2", "2026-01-10T09:00:00Z");
    private static readonly string Bob2 = Json("bob", "i3", "2026-01-11T09:00:00+01:00");

    [Fact]
    public async Task Purge_ForgottenUser_RemovesTheirLinesFromEveryFormatAndKeepsOthersByteIdentical()
    {
        await _local.WriteAsync(ContainerNames.Events, "2026/01/10/08/bulk-1.jsonl", Encoding.UTF8.GetBytes(Bob1 + AliceBefore + "not json, alice\n" + Bob2 + AliceAfter));
        await _local.WriteAsync(ContainerNames.Events, "2026/01/10/08/bulk-2.jsonl.gz", Gzip(AliceBefore + Bob1 + "\r\n" + Bob2));
        await _local.WriteAsync(ContainerNames.Events, "2026/01/10/08/bulk-3.csv", Encoding.UTF8.GetBytes("userId,itemId,type,timestamp\r\nbob,i2,view,2026-01-10T09:00:00Z\r\nalice,i1,view,1768032000\r\nalice,i9,view,2026-02-15T08:00:00Z\r\n"));
        await _local.AppendAsync(ContainerNames.Events, "2026/01/20/05/api-host1.jsonl", Encoding.UTF8.GetBytes(Bob1 + AliceBefore));
        await _local.AppendAsync(ContainerNames.Events, "2026/01/20/05/api-host1.jsonl", Encoding.UTF8.GetBytes(Bob2));
        var quarantined = string.Join('\n',
            JsonSerializer.Serialize(new { file = "events/2026/01/10/08/bulk-1.jsonl", line = 2, reason = "unknown-type", message = "line 2: type \"zap\" is not configured", text = AliceBefore.Replace("view", "zap", StringComparison.Ordinal).TrimEnd('\n') }),
            JsonSerializer.Serialize(new { file = "events/2026/01/10/08/bulk-3.csv", line = 7, reason = "bad-timestamp", message = "line 7: timestamp \"yesterday\" is not ISO-8601 or Unix seconds", text = "alice,i4,view,yesterday" }),
            JsonSerializer.Serialize(new { file = "events/2026/01/10/08/bulk-1.jsonl", line = 9, reason = "bad-timestamp", message = "line 9: timestamp \"x\" is not ISO-8601 or Unix seconds", text = Bob1.TrimEnd('\n') }),
            JsonSerializer.Serialize(new { file = "events/2026/01/10/08/bulk-1.jsonl", line = 11, reason = "malformed-json", message = "line 11: not JSON", text = "{\"userId\":\"alice\",\"itemId\":" })) + "\n";
        await _local.WriteAsync(ContainerNames.Quarantine, "run1/events/2026/01/10/08/bulk-1.jsonl.jsonl", Encoding.UTF8.GetBytes(quarantined));
        await ForgetAsync("alice");

        var result = await PurgeAsync();

        Assert.Equal(Bob1 + Bob2 + AliceAfter, await TextAsync(ContainerNames.Events, "2026/01/10/08/bulk-1.jsonl"));
        Assert.Equal(Bob1 + "\r\n" + Bob2, Gunzip((await _local.ReadAsync(ContainerNames.Events, "2026/01/10/08/bulk-2.jsonl.gz"))!.Content));
        Assert.Equal("userId,itemId,type,timestamp\r\nbob,i2,view,2026-01-10T09:00:00Z\r\nalice,i9,view,2026-02-15T08:00:00Z\r\n", await TextAsync(ContainerNames.Events, "2026/01/10/08/bulk-3.csv"));
        Assert.Equal(Bob1 + Bob2, await TextAsync(ContainerNames.Events, "2026/01/20/05/api-host1.jsonl"));
        Assert.Equal(quarantined.Split('\n')[2] + "\n", await TextAsync(ContainerNames.Quarantine, "run1/events/2026/01/10/08/bulk-1.jsonl.jsonl"));
        Assert.Equal(new PurgeForgottenResult(1, 1, 5, 5, 8, 0), result);
    }

    [Fact]
    public async Task Purge_SecondRunWithoutNewForgets_RewritesNothing_AndANewForgetTriggersAScan()
    {
        await _local.WriteAsync(ContainerNames.Events, "2026/01/10/08/bulk-1.jsonl", Encoding.UTF8.GetBytes(Bob1 + AliceBefore + Bob2));
        await _local.WriteAsync(ContainerNames.Events, "2026/01/11/08/bulk-2.jsonl", Encoding.UTF8.GetBytes(Bob2));
        await ForgetAsync("alice");
        Assert.Equal(1, (await PurgeAsync()).PurgedBlobs);
        var writes = _store.Count("writes to logs and quarantine", c => c.Operation is BlobOperation.Write or BlobOperation.Upload or BlobOperation.Append or BlobOperation.Delete && c.Container is ContainerNames.Events or ContainerNames.Quarantine);
        var reads = _store.Count("log reads", c => c.Operation is BlobOperation.Read or BlobOperation.OpenRead && c.Container == ContainerNames.Events);

        var second = await PurgeAsync(RunStart.AddDays(1));
        var third = await PurgeAsync(RunStart.AddDays(2));

        Assert.Equal(0, writes.Matched);
        Assert.Equal((0, 0L), (second.PurgedBlobs, second.PurgedLines));
        Assert.Equal((0, 0), (third.NewTombstones, third.PurgedBlobs));
        Assert.True(reads.Matched <= 2, $"a night without new forgets read {reads.Matched} log blobs: only those written since the last purge are read");

        await ForgetAsync("bob", ForgottenAt.AddDays(1));
        var fourth = await PurgeAsync(RunStart.AddDays(3));

        Assert.Equal((1, 2, 3L), (fourth.NewTombstones, fourth.PurgedBlobs, fourth.PurgedLines));
        Assert.Equal(string.Empty, await TextAsync(ContainerNames.Events, "2026/01/11/08/bulk-2.jsonl"));
    }

    [Fact]
    public async Task Purge_NewLogWrittenAfterThePurge_IsScannedForOldEventsOfForgottenUsers()
    {
        await _local.WriteAsync(ContainerNames.Events, "2026/01/10/08/bulk-1.jsonl", Encoding.UTF8.GetBytes(Bob1));
        await ForgetAsync("alice");
        await PurgeAsync();

        // A re-posted old event of the forgotten user reaches a new API log blob after her tombstone was purged everywhere.
        await Task.Delay(20);
        await _local.AppendAsync(ContainerNames.Events, "2026/02/27/10/api-host1.jsonl", Encoding.UTF8.GetBytes(Bob2 + AliceBefore));
        var second = await PurgeAsync(RunStart.AddDays(1));

        Assert.Equal(1, second.PurgedLines);
        Assert.Equal(Bob2, await TextAsync(ContainerNames.Events, "2026/02/27/10/api-host1.jsonl"));
    }

    [Fact]
    public async Task Purge_AppendRacingTheRewriteOfAnApiLog_KeepsTheAppendedLines()
    {
        const string Log = "2026/01/20/05/api-host1.jsonl";
        await _local.AppendAsync(ContainerNames.Events, Log, Encoding.UTF8.GetBytes(Bob1 + AliceBefore));
        await ForgetAsync("alice");
        var raced = 0;
        var racing = _store.Count("an append between the purge's read and its write", call =>
        {
            if (call is { Operation: BlobOperation.Write, Container: ContainerNames.Events, Name: Log } && Interlocked.Exchange(ref raced, 1) == 0)
            {
                _local.AppendAsync(ContainerNames.Events, Log, Encoding.UTF8.GetBytes(Bob2 + AliceBefore)).GetAwaiter().GetResult();
            }

            return call.Operation == BlobOperation.Write && call.Name == Log;
        });

        var result = await PurgeAsync();

        Assert.Equal(2, racing.Matched);
        Assert.Equal(Bob1 + Bob2, await TextAsync(ContainerNames.Events, Log));
        Assert.Equal(2, result.PurgedLines);
    }

    [Fact]
    public async Task Purge_ApiLogOfTheCurrentHour_IsLeftPendingAndPurgedByTheNextRun()
    {
        const string Open = "2026/03/01/00/api-host1.jsonl";
        await _local.AppendAsync(ContainerNames.Events, Open, Encoding.UTF8.GetBytes(Bob1 + AliceBefore));
        await ForgetAsync("alice");

        var first = await PurgeAsync();
        await _local.AppendAsync(ContainerNames.Events, Open, Encoding.UTF8.GetBytes(Bob2));

        Assert.Equal((1, 0L), (first.PendingBlobs, first.PurgedLines));
        Assert.Equal(Bob1 + AliceBefore + Bob2, await TextAsync(ContainerNames.Events, Open));
        var next = await PurgeAsync(RunStart.AddDays(1));
        Assert.Equal((0, 1L), (next.PendingBlobs, next.PurgedLines));
        Assert.Equal(Bob1 + Bob2, await TextAsync(ContainerNames.Events, Open));
    }

    [Fact]
    public async Task Purge_LegacySha256Tombstone_IsHonoured()
    {
        await _local.WriteAsync(ContainerNames.Events, "2026/01/10/08/bulk-1.jsonl", Encoding.UTF8.GetBytes(Bob1 + AliceBefore + AliceAfter));
        var legacy = new ForgottenUserTombstone { UserIdSha256 = UserIdHasher.LegacySha256("alice"), ForgottenAt = ForgottenAt };
        await _local.WriteAsync(ContainerNames.Users, ForgottenUsers.LegacyTombstoneName("alice"), JsonSerializer.SerializeToUtf8Bytes(legacy));

        var result = await PurgeAsync();

        Assert.Equal(1, result.PurgedLines);
        Assert.Equal(Bob1 + AliceAfter, await TextAsync(ContainerNames.Events, "2026/01/10/08/bulk-1.jsonl"));
    }

    [Fact]
    public async Task Purge_WriteKeepsFailing_ThrowsAndLeavesTheBlobWhole()
    {
        const string Name = "2026/01/10/08/bulk-1.jsonl";
        await _local.WriteAsync(ContainerNames.Events, Name, Encoding.UTF8.GetBytes(Bob1 + AliceBefore));
        await ForgetAsync("alice");
        _store.Fail("storage outage on log writes", c => c.Operation == BlobOperation.Write && c.Container == ContainerNames.Events);

        await Assert.ThrowsAsync<SimulatedStorageFaultException>(() => PurgeAsync());

        Assert.Equal(Bob1 + AliceBefore, await TextAsync(ContainerNames.Events, Name));
        Assert.Null(await _local.ReadAsync(ContainerNames.Runs, PurgeState.BlobName));
    }

    [Fact]
    public async Task Retrain_ForgottenUser_RunsThePurgeAndRecordsItsCounts()
    {
        await _local.WriteAsync(ContainerNames.Events, "2026/01/10/08/bulk-1.jsonl", Encoding.UTF8.GetBytes(Bob1 + AliceBefore + Bob2));
        await ForgetAsync("alice");
        var time = new FakeTimeProvider(RunStart);
        await using var host = await TestDurableHost.StartAsync(tasks => { var datasets = new RetrainDatasetCache(); tasks.AddRetrain(() => new RetrainActivities(_local, new EmbeddedItemIndexPublisher(_local), new TwoTowerOptions(), new EventTypeOptions(), time, datasets: datasets)); });
        var input = RetrainInput.From("test", new RetrainOptions { WindowDays = 0, FirstRetryInterval = TimeSpan.FromMilliseconds(20) }, RunStart);

        var id = await host.Client.ScheduleNewOrchestrationInstanceAsync(RetrainOrchestration.Name, input);
        var metadata = await host.Client.WaitForInstanceCompletionAsync(id, getInputsAndOutputs: true);

        var outcome = metadata.ReadOutputAs<RetrainOutcome>()!;
        Assert.Equal(RunOutcome.NoData, outcome.Outcome);
        var record = JsonSerializer.Deserialize<RetrainRunRecord>((await _local.ReadAsync(ContainerNames.Runs, $"{outcome.RunId}.json"))!.Content.Span)!;
        Assert.Equal((1, 1L), (record.PurgedBlobs, record.PurgedLines));
        Assert.Null(record.PurgeError);
        Assert.Contains("purgeForgotten", record.StepSeconds.Keys);
        Assert.Equal(2, record.Lines);
        Assert.Equal(Bob1 + Bob2, await TextAsync(ContainerNames.Events, "2026/01/10/08/bulk-1.jsonl"));
        var report = await TextAsync(ContainerNames.Runs, $"{RetrainActivities.ReportsFolder}/{outcome.RunId}.html");
        Assert.Contains("Erasure of forgotten users", report, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Retrain_PurgeFailsOnEveryAttempt_RecordsWhyKeepsTheBlobAndGoesOn()
    {
        const string Name = "2026/01/10/08/bulk-1.jsonl";
        await _local.WriteAsync(ContainerNames.Events, Name, Encoding.UTF8.GetBytes(Bob1 + AliceBefore + Bob2));
        await ForgetAsync("alice");
        _store.Fail("storage outage on log writes", c => c.Operation == BlobOperation.Write && c.Container == ContainerNames.Events);
        var time = new FakeTimeProvider(RunStart);
        await using var host = await TestDurableHost.StartAsync(tasks => { var datasets = new RetrainDatasetCache(); tasks.AddRetrain(() => new RetrainActivities(_store, new EmbeddedItemIndexPublisher(_store), new TwoTowerOptions(), new EventTypeOptions(), time, datasets: datasets)); });
        var input = RetrainInput.From("test", new RetrainOptions { WindowDays = 0, FirstRetryInterval = TimeSpan.FromMilliseconds(20) }, RunStart);

        var id = await host.Client.ScheduleNewOrchestrationInstanceAsync(RetrainOrchestration.Name, input);
        var metadata = await host.Client.WaitForInstanceCompletionAsync(id, getInputsAndOutputs: true);

        var outcome = metadata.ReadOutputAs<RetrainOutcome>()!;
        Assert.Equal(RunOutcome.NoData, outcome.Outcome);
        var record = JsonSerializer.Deserialize<RetrainRunRecord>((await _local.ReadAsync(ContainerNames.Runs, $"{outcome.RunId}.json"))!.Content.Span)!;
        Assert.Contains("storage outage on log writes", record.PurgeError, StringComparison.Ordinal);
        Assert.Equal((0, 0L), (record.PurgedBlobs, record.PurgedLines));
        Assert.Equal(Bob1 + AliceBefore + Bob2, await TextAsync(ContainerNames.Events, Name));
        Assert.Null(await _local.ReadAsync(ContainerNames.Runs, PurgeState.BlobName));
    }
}
