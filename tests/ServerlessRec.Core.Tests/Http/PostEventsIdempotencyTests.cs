using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using ServerlessRec.Core.Tests.Storage;
using ServerlessRec.Events;
using ServerlessRec.Http;
using ServerlessRec.Pipeline;
using ServerlessRec.Retrieval;
using ServerlessRec.Serving;
using ServerlessRec.Storage;
using ServerlessRec.Training;

namespace ServerlessRec.Core.Tests.Http;

/// <summary>
/// <c>POST /api/events</c>: the log append is the commit point, written before any history, and a post repeated with
/// the same <c>Idempotency-Key</c> stores nothing twice. Through the handler over the local folder store.
/// </summary>
public sealed class PostEventsIdempotencyTests : IDisposable
{
    private const int HistoryAttempts = 4;
    private readonly string _root = Path.Combine(Path.GetTempPath(), "srec-idem-" + Guid.NewGuid().ToString("N"));
    private readonly LocalFolderBlobStore _store;
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 3, 10, 0, 0, TimeSpan.Zero));

    public PostEventsIdempotencyTests() => _store = new LocalFolderBlobStore(new StorageOptions { LocalRoot = _root });

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    // No timestamps: the server's receive time is theirs, so a retry must reuse it to store the same events.
    private const string TwoUsers = """{"events":[{"userId":"u-a","itemId":"i1","type":"view"},{"userId":"u-b","itemId":"i2","type":"like"},{"userId":"u-a","itemId":"i3","type":"click"}]}""";

    private static Dictionary<string, string> Key(string key) => new() { [IdempotencyMarkers.HeaderName] = key };

    [Fact]
    public async Task PostEvents_SecondUsersHistoryContended_LogsTheEventsFirstAndTheRetryWithTheKeyStoresEachOnce()
    {
        var store = new FaultInjectingBlobStore(_store);
        var ubHistoryBlob = UserHistoryStore.BlobName(await UserIdHasherProvider.LoadOrCreateAsync(_store), "u-b");
        var races = store.Fail("lost ETag race", c => c.Operation == BlobOperation.Write && c.Container == ContainerNames.Users && c.Name == ubHistoryBlob, failures: HistoryAttempts, exception: c => new BlobConditionFailedException($"{c.Name} changed"));
        using var harness = new EndpointHarness(store, _time, historyMaxAttempts: HistoryAttempts);

        var first = await harness.SendAsync("PostEvents", TwoUsers, headers: Key("post-1"));

        Assert.Equal(409, first.Status);
        using (var problem = JsonDocument.Parse(first.Body))
        {
            Assert.True(problem.RootElement.GetProperty("eventsLogged").GetBoolean());
            Assert.Contains("same Idempotency-Key", problem.RootElement.GetProperty("detail").GetString(), StringComparison.Ordinal);
        }

        Assert.Equal(3, (await LogLinesAsync()).Count);
        Assert.Equal(2, (await HistoryAsync("u-a")).Count);
        Assert.Empty(await HistoryAsync("u-b"));
        Assert.Equal(HistoryAttempts, races.Injected);

        _time.Advance(TimeSpan.FromMinutes(5));
        var retry = await harness.SendAsync("PostEvents", TwoUsers, headers: Key("post-1"));

        Assert.True(retry.Status == 202, $"{retry.Status}: {retry.Body}");
        var log = await LogLinesAsync();
        Assert.Equal(3, log.Count);
        Assert.Equal(["i1", "i3"], (await HistoryAsync("u-a")).Select(e => e.ItemId));
        var late = Assert.Single(await HistoryAsync("u-b"));
        Assert.Equal(new DateTimeOffset(2026, 12, 3, 10, 0, 0, TimeSpan.Zero), late.Timestamp);
        Assert.All(log, line => Assert.Contains("\"timestamp\":\"2026-12-03T10:00:00", line, StringComparison.Ordinal));
    }

    [Fact]
    public async Task PostEvents_CompletedKeyRepeated_ReplaysTheAnswerAndWritesNothing()
    {
        var store = new FaultInjectingBlobStore(_store);
        using var harness = new EndpointHarness(store, _time);
        var first = await harness.SendAsync("PostEvents", TwoUsers, headers: Key("post-2"));
        var writes = store.Count("writes", c => c.Operation is BlobOperation.Write or BlobOperation.Append or BlobOperation.Upload or BlobOperation.Delete);

        _time.Advance(TimeSpan.FromHours(1));
        var replay = await harness.SendAsync("PostEvents", TwoUsers, headers: Key("post-2"));

        Assert.Equal(202, first.Status);
        Assert.Equal(202, replay.Status);
        Assert.Equal(first.Body, replay.Body);
        Assert.Equal("true", replay.Headers[IdempotencyMarkers.ReplayedHeaderName]);
        Assert.False(first.Headers.ContainsKey(IdempotencyMarkers.ReplayedHeaderName));
        Assert.Equal(0, writes.Matched);
        Assert.Equal(3, (await LogLinesAsync()).Count);
    }

    [Fact]
    public async Task PostEvents_KeyReusedWithOtherEvents_Returns422AndWritesNothing()
    {
        using var harness = new EndpointHarness(_store, _time);
        await harness.SendAsync("PostEvents", TwoUsers, headers: Key("post-3"));

        var reused = await harness.SendAsync("PostEvents", TwoUsers.Replace("i3", "i4", StringComparison.Ordinal), headers: Key("post-3"));

        Assert.Equal(422, reused.Status);
        Assert.Equal(ApiProblems.ContentType, reused.ContentType);
        using var problem = JsonDocument.Parse(reused.Body);
        Assert.Equal(IdempotencyMarkers.HeaderName, problem.RootElement.GetProperty("field").GetString());
        ServingEndpointsBadInputTests.AssertNoInternals(reused.Body);
        Assert.Equal(3, (await LogLinesAsync()).Count);
        Assert.DoesNotContain(await HistoryAsync("u-a"), e => e.ItemId == "i4");
    }

    [Fact]
    public async Task PostEvents_KeyOfAPostStillInFlight_Returns409WithRetryAfterUntilItsLeaseEnds()
    {
        using var harness = new EndpointHarness(_store, _time);
        var markers = new IdempotencyMarkers(_store, _time);
        var receivedAt = _time.GetUtcNow();
        var first = await harness.SendAsync("PostEvents", TwoUsers, headers: Key("probe"));
        var bodySha256 = (await markers.ReadAsync("probe")).Marker!.BodySha256;
        await markers.TryCreateAsync("post-4", new IdempotencyMarker { BodySha256 = bodySha256, ReceivedAt = receivedAt, State = IdempotentPostState.Received, LeaseUntil = receivedAt + IdempotencyMarkers.Lease });
        var logged = (await LogLinesAsync()).Count;

        _time.Advance(TimeSpan.FromSeconds(10));
        var busy = await harness.SendAsync("PostEvents", TwoUsers, headers: Key("post-4"));
        _time.Advance(IdempotencyMarkers.Lease);
        var takenOver = await harness.SendAsync("PostEvents", TwoUsers, headers: Key("post-4"));

        Assert.Equal(202, first.Status);
        Assert.Equal(409, busy.Status);
        Assert.Equal("20", busy.Headers["Retry-After"]);
        Assert.False(busy.Body.Contains("eventsLogged", StringComparison.Ordinal));
        Assert.Equal(202, takenOver.Status);
        Assert.Equal(logged + 3, (await LogLinesAsync()).Count);
    }

    [Fact]
    public async Task PostEvents_LogAppendFails_NothingIsStoredAndAnImmediateRetryWithTheKeyLogsOnce()
    {
        var store = new FaultInjectingBlobStore(_store);
        store.Fail("log outage", c => c.Operation == BlobOperation.Append, failures: 1);
        using var harness = new EndpointHarness(store, _time);

        var failed = await harness.SendAsync("PostEvents", TwoUsers, headers: Key("post-5"));
        var retry = await harness.SendAsync("PostEvents", TwoUsers, headers: Key("post-5"));

        Assert.Equal(500, failed.Status);
        Assert.False(failed.Body.Contains("eventsLogged", StringComparison.Ordinal));
        Assert.Equal(202, retry.Status);
        Assert.Equal(3, (await LogLinesAsync()).Count);
        Assert.Equal(2, (await HistoryAsync("u-a")).Count);
    }

    [Fact]
    public async Task PostEvents_HistoryFailsWithoutAKey_SaysTheEventsAreLoggedAndNotToRepeatThePost()
    {
        var store = new FaultInjectingBlobStore(_store);
        store.Fail("history outage", c => c.Operation == BlobOperation.Write && c.Container == ContainerNames.Users);
        using var harness = new EndpointHarness(store, _time);

        var response = await harness.SendAsync("PostEvents", TwoUsers);

        Assert.Equal(503, response.Status);
        using var problem = JsonDocument.Parse(response.Body);
        Assert.True(problem.RootElement.GetProperty("eventsLogged").GetBoolean());
        Assert.Contains("Do not repeat this post without an Idempotency-Key", problem.RootElement.GetProperty("detail").GetString(), StringComparison.Ordinal);
        ServingEndpointsBadInputTests.AssertNoInternals(response.Body);
        Assert.Equal(3, (await LogLinesAsync()).Count);
    }

    [Theory]
    [InlineData("")]
    [InlineData("two words")]
    [InlineData("ключ")]
    [InlineData("tab\there")]
    public async Task PostEvents_MalformedIdempotencyKey_Returns400NamingTheHeaderAndWritesNothing(string key)
    {
        using var harness = new EndpointHarness(_store, _time);

        var response = await harness.SendAsync("PostEvents", TwoUsers, headers: Key(key));

        Assert.Equal(400, response.Status);
        using var problem = JsonDocument.Parse(response.Body);
        Assert.Equal(IdempotencyMarkers.HeaderName, problem.RootElement.GetProperty("field").GetString());
        Assert.Empty(await LogLinesAsync());
    }

    [Fact]
    public async Task PostEvents_IdempotencyKeyOf129Characters_Returns400AndOf128IsAccepted()
    {
        using var harness = new EndpointHarness(_store, _time);

        var tooLong = await harness.SendAsync("PostEvents", TwoUsers, headers: Key(new string('k', IdempotencyMarkers.MaxKeyLength + 1)));
        var longest = await harness.SendAsync("PostEvents", TwoUsers, headers: Key(new string('k', IdempotencyMarkers.MaxKeyLength)));

        Assert.Equal(400, tooLong.Status);
        Assert.Equal(202, longest.Status);
    }

    [Fact]
    public async Task DeleteExpiredAsync_MarkersOlderThanADay_DeletesThemAndKeepsNewerOnes()
    {
        using var harness = new EndpointHarness(_store);
        await harness.SendAsync("PostEvents", TwoUsers, headers: Key("old"));

        var kept = await new IdempotencyMarkers(_store, new FakeTimeProvider(DateTimeOffset.UtcNow.AddHours(23))).DeleteExpiredAsync();
        var deleted = await new IdempotencyMarkers(_store, new FakeTimeProvider(DateTimeOffset.UtcNow.AddHours(25))).DeleteExpiredAsync();

        Assert.Equal(0, kept);
        Assert.Equal(1, deleted);
        Assert.Null((await new IdempotencyMarkers(_store, _time).ReadAsync("old")).Marker);
    }

    [Fact]
    public async Task Cleanup_MarkerOlderThanADay_DeletesIt()
    {
        using var harness = new EndpointHarness(_store);
        await harness.SendAsync("PostEvents", TwoUsers, headers: Key("yesterday"));
        var activities = new RetrainActivities(_store, new EmbeddedItemIndexPublisher(_store), new TwoTowerOptions(), new EventTypeOptions(), new FakeTimeProvider(DateTimeOffset.UtcNow.AddHours(25)));

        await activities.Cleanup(new CleanupInput(KeepVersions: 3, GraceSeconds: 600));

        Assert.Null((await new IdempotencyMarkers(_store, _time).ReadAsync("yesterday")).Marker);
    }

    private async Task<List<string>> LogLinesAsync()
    {
        var lines = new List<string>();
        await foreach (var blob in _store.ListAsync(ContainerNames.Events))
        {
            var content = await _store.ReadAsync(ContainerNames.Events, blob.Name);
            lines.AddRange(Encoding.UTF8.GetString(content!.Content.Span).Split('\n', StringSplitOptions.RemoveEmptyEntries));
        }

        return lines;
    }

    private async Task<IReadOnlyList<HistoryEvent>> HistoryAsync(string user) => (await new UserHistoryStore(_store).ReadAsync(user)).Events;
}
