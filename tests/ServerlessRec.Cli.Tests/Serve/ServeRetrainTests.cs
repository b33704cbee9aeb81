using System.Net;
using System.Text;
using System.Text.Json;
using ServerlessRec.Cli.Commands;
using ServerlessRec.Events;
using ServerlessRec.Pipeline;
using ServerlessRec.Storage;
using ServerlessRec.Training;

namespace ServerlessRec.Cli.Tests.Serve;

/// <summary>
/// The whole loop through HTTP on the real <c>serve</c> host: retrain started with <c>POST /api/retrain</c> on the
/// in-process Durable Task engine, events posted for a new user, rankings reflecting them at once, and a second
/// retraining whose version then serves.
/// </summary>
public sealed class ServeRetrainTests : IAsyncLifetime
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "srec-serve-retrain-" + Guid.NewGuid().ToString("N"));
    private Microsoft.AspNetCore.Builder.WebApplication _app = null!;
    private HttpClient Client { get; set; } = null!;

    public async Task InitializeAsync()
    {
        var store = new LocalFolderBlobStore(new StorageOptions { LocalRoot = _root });
        var synthetic = new SyntheticLogOptions { Users = 400, Items = 150, Events = 12_000, Seed = 5, Start = DateTimeOffset.UtcNow.AddDays(-31) }; // 30 days of logs, all in the past (later events are quarantined as future-timestamp)
        await new SyntheticLogGenerator(synthetic).WriteToStoreAsync(store);

        var training = new TwoTowerOptions { Dimensions = 16, HiddenDimensions = 32, Epochs = 3, Patience = 1, Threads = 2, SampledNegatives = 64 };

        // The gate itself is tested in Core; here every candidate that beats popularity may replace the live model.
        var retrain = new RetrainOptions { PromotionMargin = 1.0, ItemsPerIndexActivity = 100, FirstRetryInterval = TimeSpan.FromMilliseconds(20) };
        _app = ServeCommand.CreateApp(_root, "http://127.0.0.1:0", TimeProvider.System, training: training, retrain: retrain);
        await _app.StartAsync();
        Client = new HttpClient { BaseAddress = new Uri(_app.Urls.Single().TrimEnd('/') + "/"), Timeout = TimeSpan.FromSeconds(30) };
    }

    public async Task DisposeAsync()
    {
        Client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    [Fact]
    public async Task EventsThenRetrain_OverHttp_RankingsReflectEventsAtOnceThenComeFromTheNewVersion()
    {
        // No model yet: retraining over HTTP makes the first one live.
        using (var none = await Client.GetAsync(new Uri("api/health", UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, none.StatusCode);
        }

        var first = await RetrainAsync();
        Assert.Equal("activated", first.GetProperty("outcome").GetString());
        var firstVersion = first.GetProperty("version").GetString()!;
        Assert.Equal(firstVersion, (await GetJsonAsync("api/health")).GetProperty("modelVersion").GetString());

        // A new user: popular items first, then a ranking built from the events just posted.
        var user = "e2e-" + Guid.NewGuid().ToString("N")[..8];
        var before = await RecommendAsync(user);
        Assert.Equal("popular", before.GetProperty("source").GetString());
        var liked = Items(before).Take(4).ToList();
        var events = string.Join(",", liked.Select((item, i) => $$"""{"userId":"{{user}}","itemId":"{{item}}","type":"purchase","timestamp":"{{DateTimeOffset.UtcNow.AddMinutes(i - 10):O}}"}"""));
        using (var posted = await PostAsync("api/events", $$"""{"events":[{{events}}]}"""))
        {
            Assert.Equal(HttpStatusCode.Accepted, posted.StatusCode);
        }

        var after = await RecommendAsync(user);
        Assert.Equal("history", after.GetProperty("source").GetString());
        Assert.Equal(firstVersion, after.GetProperty("modelVersion").GetString());
        Assert.DoesNotContain(Items(after), liked.Contains);

        // An item added through the catalog API between the two runs: the next retraining trains it.
        using (var put = await SendAsync(HttpMethod.Put, "api/items", """{"items":[{"itemId":"api-added","categories":["c1"],"tags":["t1"]}]}"""))
        {
            Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        }

        // Retrain again: the posted events are in the log it reads, and the answer comes from the new version.
        var second = await RetrainAsync();
        Assert.Equal("activated", second.GetProperty("outcome").GetString());
        var secondVersion = second.GetProperty("version").GetString()!;
        Assert.NotEqual(firstVersion, secondVersion);
        await WaitForLiveVersionAsync(secondVersion);
        var served = await RecommendAsync(user);
        Assert.Equal(secondVersion, served.GetProperty("modelVersion").GetString());
        Assert.Equal("history", served.GetProperty("source").GetString());
        Assert.DoesNotContain(Items(served), liked.Contains);

        var trainedItems = await File.ReadAllLinesAsync(Path.Combine(_root, ContainerNames.Models, secondVersion, "items.jsonl"));
        Assert.Contains(trainedItems, line => line.Contains("\"id\":\"api-added\"", StringComparison.Ordinal));
        Assert.DoesNotContain(await File.ReadAllLinesAsync(Path.Combine(_root, ContainerNames.Models, firstVersion, "items.jsonl")), line => line.Contains("\"id\":\"api-added\"", StringComparison.Ordinal));

        var record = JsonSerializer.Deserialize<RetrainRunRecord>(await File.ReadAllBytesAsync(Path.Combine(_root, ContainerNames.Runs, second.GetProperty("runId").GetString() + ".json")))!;
        Assert.True(record.Accepted >= 12_000 + liked.Count, $"accepted {record.Accepted}");
    }

    [Fact]
    public async Task StartRetrain_WhileOneRuns_Returns409WithTheStatusLocation()
    {
        using var started = await PostAsync("api/retrain", "{}");
        using var again = await PostAsync("api/retrain", "{}");

        Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
        Assert.Equal("/api/retrain/" + RetrainScheduler.InstanceId, started.Headers.Location?.OriginalString);
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Equal("application/problem+json", again.Content.Headers.ContentType?.MediaType);
        Assert.Equal("/api/retrain/" + RetrainScheduler.InstanceId, again.Headers.Location?.OriginalString);
        var done = await WaitAsync();
        Assert.Equal("completed", done.GetProperty("status").GetString());
    }

    [Fact]
    public async Task StartRetrain_TwoTriggersAtOnce_GiveOneRun()
    {
        var posts = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => PostAsync("api/retrain", "{}")));
        try
        {
            var codes = posts.Select(p => p.StatusCode).ToList();
            Assert.True(codes.Count(c => c == HttpStatusCode.Accepted) == 1, string.Join(", ", codes));
            Assert.True(codes.Count(c => c == HttpStatusCode.Conflict) == 3, string.Join(", ", codes));
        }
        finally
        {
            foreach (var post in posts)
            {
                post.Dispose();
            }
        }

        var done = await WaitAsync();
        Assert.Equal("completed", done.GetProperty("status").GetString());
        Assert.Single(Directory.GetFiles(Path.Combine(_root, ContainerNames.Runs), "*.json"));
    }

    private async Task<JsonElement> RetrainAsync()
    {
        using var started = await PostAsync("api/retrain", "{}");
        var text = await started.Content.ReadAsStringAsync();
        Assert.True(started.StatusCode == HttpStatusCode.Accepted, text);
        var done = await WaitAsync();
        Assert.True(done.GetProperty("status").GetString() == "completed", done.ToString());
        return done;
    }

    private async Task<JsonElement> WaitAsync()
    {
        var deadline = DateTime.UtcNow.AddMinutes(3);
        var steps = new HashSet<string>(StringComparer.Ordinal);
        while (true)
        {
            var status = await GetJsonAsync("api/retrain/" + RetrainScheduler.InstanceId);
            var state = status.GetProperty("status").GetString();
            if (state is not ("running" or "pending"))
            {
                return status;
            }

            if (status.TryGetProperty("step", out var step))
            {
                steps.Add(step.GetString()!);
            }

            Assert.True(DateTime.UtcNow < deadline, $"retraining still {state} after 3 minutes (steps seen: {string.Join(", ", steps)})");
            await Task.Delay(200);
        }
    }

    /// <summary>serve checks models/current.json every few seconds; waits until it serves <paramref name="version"/>.</summary>
    private async Task WaitForLiveVersionAsync(string version)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while ((await GetJsonAsync("api/health")).GetProperty("modelVersion").GetString() != version)
        {
            Assert.True(DateTime.UtcNow < deadline, $"serve did not pick up {version} within 30 s");
            await Task.Delay(200);
        }
    }

    private async Task<JsonElement> RecommendAsync(string user)
    {
        using var response = await PostAsync("api/recommendations", $$"""{"userId":"{{user}}","k":5}""");
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    private static IEnumerable<string> Items(JsonElement response) =>
        response.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("itemId").GetString()!);

    private async Task<JsonElement> GetJsonAsync(string path)
    {
        using var response = await Client.GetAsync(new Uri(path, UriKind.Relative));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{path}: {(int)response.StatusCode} {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    private async Task<HttpResponseMessage> PostAsync(string path, string json)
    {
        using var content = new StringContent(json, Encoding.UTF8, "application/json");
        return await Client.PostAsync(new Uri(path, UriKind.Relative), content);
    }

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string json)
    {
        using var request = new HttpRequestMessage(method, new Uri(path, UriKind.Relative)) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        return await Client.SendAsync(request);
    }
}
