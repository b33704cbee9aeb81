using System.Text;
using System.Text.Json;
using ServerlessRec.Core.Tests.Storage;
using ServerlessRec.Http;
using ServerlessRec.Serving;
using ServerlessRec.Storage;

namespace ServerlessRec.Core.Tests.Http;

/// <summary><c>POST /api/events</c> under contention for one user's history, through the handler over the local folder store.</summary>
public sealed class PostEventsConcurrencyTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "srec-post-" + Guid.NewGuid().ToString("N"));
    private readonly LocalFolderBlobStore _store;

    public PostEventsConcurrencyTests() => _store = new LocalFolderBlobStore(new StorageOptions { LocalRoot = _root });

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    private static string Post(string user, int writer, int events) =>
        "{\"events\":[" + string.Join(",", Enumerable.Range(0, events).Select(e => $$"""{"userId":"{{user}}","itemId":"w{{writer}}-e{{e}}","type":"view","timestamp":"2026-01-01T00:{{writer % 60:D2}}:{{e:D2}}Z"}""")) + "]}";

    [Fact]
    public async Task PostEvents_FiftyParallelWritersForOneUser_LoseNoEvent()
    {
        using var harness = new EndpointHarness(_store);
        const int Writers = 50;
        const int EventsEach = 3;

        var responses = await Task.WhenAll(Enumerable.Range(0, Writers).Select(w => Task.Run(() => harness.SendAsync("PostEvents", Post("shared-user", w, EventsEach)))));

        Assert.All(responses, r => Assert.True(r.Status == 202, $"{r.Status}: {r.Body}"));
        var expected = Enumerable.Range(0, Writers).SelectMany(w => Enumerable.Range(0, EventsEach).Select(e => $"w{w}-e{e}")).Order(StringComparer.Ordinal);
        var history = await new UserHistoryStore(_store).ReadAsync("shared-user");
        Assert.Equal(expected, history.Events.Select(e => e.ItemId).Order(StringComparer.Ordinal));
        var logged = new List<string>();
        await foreach (var blob in _store.ListAsync(ContainerNames.Events))
        {
            var content = await _store.ReadAsync(ContainerNames.Events, blob.Name);
            logged.AddRange(Encoding.UTF8.GetString(content!.Content.Span).Split('\n', StringSplitOptions.RemoveEmptyEntries));
        }

        Assert.Equal(Writers * EventsEach, logged.Count);
    }

    [Fact]
    public async Task PostEvents_HistoryContendedBeyondTheRetryBound_Returns409SayingTheEventsAreLogged()
    {
        var store = new FaultInjectingBlobStore(_store);
        var races = store.Fail("lost ETag race", c => c.Operation == BlobOperation.Write && c.Container == ContainerNames.Users, exception: c => new BlobConditionFailedException($"{c.Name} changed"));
        using var harness = new EndpointHarness(store, historyMaxAttempts: 4);

        var response = await harness.SendAsync("PostEvents", Post("hot-user", 1, 2));

        Assert.Equal(409, response.Status);
        Assert.Equal(ApiProblems.ContentType, response.ContentType);
        using var problem = JsonDocument.Parse(response.Body);
        Assert.True(problem.RootElement.GetProperty("eventsLogged").GetBoolean());
        Assert.Contains("are logged", problem.RootElement.GetProperty("detail").GetString(), StringComparison.Ordinal);
        ServingEndpointsBadInputTests.AssertNoInternals(response.Body);
        Assert.Equal(4, races.Matched);
        Assert.Empty((await new UserHistoryStore(_store).ReadAsync("hot-user")).Events);

        // The log is the commit point: the events reach training (and, through its seeding, the history) all the same.
        var logged = 0;
        await foreach (var blob in _store.ListAsync(ContainerNames.Events))
        {
            logged += Encoding.UTF8.GetString((await _store.ReadAsync(ContainerNames.Events, blob.Name))!.Content.Span).Split('\n', StringSplitOptions.RemoveEmptyEntries).Length;
        }

        Assert.Equal(2, logged);
    }
}
