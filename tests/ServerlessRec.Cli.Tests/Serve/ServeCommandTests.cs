using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Routing;
using ServerlessRec.Cli.Commands;
using ServerlessRec.Http;
using ServerlessRec.Serving;
using ServerlessRec.Storage;

namespace ServerlessRec.Cli.Tests.Serve;

/// <summary>The HTTP API end to end on the real Kestrel host of <c>serverlessrec serve</c>.</summary>
public sealed class ServeCommandTests(ServeFixture fixture) : IClassFixture<ServeFixture>
{
    private readonly HttpClient _client = fixture.Client;

    [Fact]
    public async Task PostEvents_NewUser_RecommendationsReflectThemAtOnce()
    {
        var user = "new-" + Guid.NewGuid().ToString("N");
        var events = string.Join(",", Enumerable.Range(0, 6).Select(i => $$"""{"userId":"{{user}}","itemId":"i{{i}}","type":"view"}"""));

        using var posted = await PostAsync("api/events", $$"""{"events":[{{events}}]}""");
        using var recommended = await PostAsync("api/recommendations", $$"""{"userId":"{{user}}","k":5}""");

        Assert.Equal(HttpStatusCode.Accepted, posted.StatusCode);
        using var accepted = await ReadJsonAsync(posted);
        Assert.Equal(6, accepted.RootElement.GetProperty("accepted").GetInt32());
        Assert.Equal(1, accepted.RootElement.GetProperty("users").GetInt32());
        Assert.Equal(HttpStatusCode.OK, recommended.StatusCode);
        using var body = await ReadJsonAsync(recommended);
        Assert.Equal("history", body.RootElement.GetProperty("source").GetString());
        var items = body.RootElement.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("itemId").GetString()!).ToList();
        Assert.Equal(5, items.Count);
        Assert.DoesNotContain(items, id => id is "i0" or "i1" or "i2" or "i3" or "i4" or "i5");
    }

    [Fact]
    public async Task PostEvents_ValidPost_AppendsJsonLinesToTheHourlyApiLog()
    {
        var user = "log-" + Guid.NewGuid().ToString("N");

        using var posted = await PostAsync("api/events", $$"""{"events":[{"userId":"{{user}}","itemId":"i3","type":"click","timestamp":"2026-01-02T03:04:05Z"}]}""");

        Assert.Equal(HttpStatusCode.Accepted, posted.StatusCode);
        var lines = new List<string>();
        await foreach (var blob in fixture.Store.ListAsync(ContainerNames.Events))
        {
            Assert.Matches(@"^\d{4}/\d{2}/\d{2}/\d{2}/api-[A-Za-z0-9._-]+\.jsonl$", blob.Name);
            var content = await fixture.Store.ReadAsync(ContainerNames.Events, blob.Name);
            lines.AddRange(Encoding.UTF8.GetString(content!.Content.Span).Split('\n', StringSplitOptions.RemoveEmptyEntries));
        }

        var line = Assert.Single(lines, l => l.Contains(user, StringComparison.Ordinal));
        using var parsed = JsonDocument.Parse(line);
        Assert.Equal("i3", parsed.RootElement.GetProperty("itemId").GetString());
        Assert.Equal("click", parsed.RootElement.GetProperty("type").GetString());
    }

    [Fact]
    public async Task PostEvents_UnknownType_Returns400NamingTheFieldAndWritesNothing()
    {
        var user = "bad-" + Guid.NewGuid().ToString("N");

        using var response = await PostAsync("api/events", $$"""{"events":[{"userId":"{{user}}","itemId":"i1","type":"view"},{"userId":"{{user}}","itemId":"i2","type":"teleport"}]}""");

        await AssertProblemAsync(response, HttpStatusCode.BadRequest, "events[1].type");
        Assert.Empty((await new UserHistoryStore(fixture.Store).ReadAsync(user)).Events);
    }

    [Fact]
    public async Task Recommend_MalformedJson_Returns400ProblemWithoutStackTrace()
    {
        using var response = await PostAsync("api/recommendations", """{"userId": "u1", "k": """);

        var text = await AssertProblemAsync(response, HttpStatusCode.BadRequest, field: null);
        Assert.DoesNotContain("   at ", text, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", text, StringComparison.Ordinal);
        Assert.DoesNotContain("System.", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Recommend_WrongType_Returns400NamingTheField()
    {
        using var response = await PostAsync("api/recommendations", """{"userId":"u1","k":"ten"}""");

        await AssertProblemAsync(response, HttpStatusCode.BadRequest, "k");
    }

    [Fact]
    public async Task Recommend_MissingUserId_Returns400NamingUserId()
    {
        using var response = await PostAsync("api/recommendations", """{"k":3}""");

        await AssertProblemAsync(response, HttpStatusCode.BadRequest, "userId");
    }

    [Fact]
    public async Task Recommend_OmittedOptions_UseTheContractDefaults()
    {
        using var response = await PostAsync("api/recommendations", """{"userId":"u0"}""");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var body = await ReadJsonAsync(response);
        Assert.Equal(10, body.RootElement.GetProperty("items").GetArrayLength());
    }

    [Fact]
    public async Task Recommend_KZero_Returns400NamingK()
    {
        using var response = await PostAsync("api/recommendations", """{"userId":"u1","k":0}""");

        await AssertProblemAsync(response, HttpStatusCode.BadRequest, "k");
    }

    [Fact]
    public async Task Recommend_BodyOverTheLimit_Returns413()
    {
        var padding = new string('x', RequestBody.MaxBytes);
        // Its own client: the server closes a connection whose oversized body it did not read, and a shared
        // pool could hand that dying connection to the next test.
        using var client = new HttpClient { BaseAddress = _client.BaseAddress };
        using var content = new StringContent($$"""{"userId":"u1","padding":"{{padding}}"}""", Encoding.UTF8, "application/json");

        using var response = await client.PostAsync(new Uri("api/recommendations", UriKind.Relative), content);

        await AssertProblemAsync(response, HttpStatusCode.RequestEntityTooLarge, field: null);
    }

    [Fact]
    public async Task Similar_UnknownItem_Returns404()
    {
        using var response = await _client.GetAsync(new Uri("api/items/no-such-item/similar?k=3", UriKind.Relative));

        await AssertProblemAsync(response, HttpStatusCode.NotFound, "itemId");
    }

    [Fact]
    public async Task Similar_KZeroInQuery_Returns400NamingK()
    {
        using var response = await _client.GetAsync(new Uri("api/items/i1/similar?k=0", UriKind.Relative));

        await AssertProblemAsync(response, HttpStatusCode.BadRequest, "k");
    }

    [Fact]
    public async Task Similar_KnownItem_ReturnsKOtherItems()
    {
        using var response = await _client.GetAsync(new Uri("api/items/i1/similar?k=4", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var body = await ReadJsonAsync(response);
        Assert.Equal("item", body.RootElement.GetProperty("source").GetString());
        var items = body.RootElement.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("itemId").GetString()).ToList();
        Assert.Equal(4, items.Count);
        Assert.DoesNotContain("i1", items);
    }

    [Fact]
    public async Task UserVector_TrainedUser_ReturnsAVectorOfTheModelsDimensions()
    {
        var user = "vec-" + Guid.NewGuid().ToString("N");
        using var posted = await PostAsync("api/events", $$"""{"events":[{"userId":"{{user}}","itemId":"i7","type":"like"}]}""");

        using var response = await _client.GetAsync(new Uri($"api/users/{user}/vector", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var body = await ReadJsonAsync(response);
        Assert.Equal(16, body.RootElement.GetProperty("vector").GetArrayLength());
        Assert.Equal(1, body.RootElement.GetProperty("historyLength").GetInt32());
    }

    [Fact]
    public async Task Health_ModelLive_Returns200WithModelVersion()
    {
        using var response = await _client.GetAsync(new Uri("api/health", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var body = await ReadJsonAsync(response);
        Assert.Equal("v1", body.RootElement.GetProperty("modelVersion").GetString());
    }

    [Fact]
    public async Task ForgetUser_WithHistory_DeletesItAndLeavesATombstone()
    {
        var user = "forget-" + Guid.NewGuid().ToString("N");
        using var posted = await PostAsync("api/events", $$"""{"events":[{"userId":"{{user}}","itemId":"i2","type":"view"}]}""");
        Assert.Equal(HttpStatusCode.Accepted, posted.StatusCode);

        using var deleted = await _client.DeleteAsync(new Uri($"api/users/{user}", UriKind.Relative));
        using var vector = await _client.GetAsync(new Uri($"api/users/{user}/vector", UriKind.Relative));
        using var recommended = await PostAsync("api/recommendations", $$"""{"userId":"{{user}}","k":3}""");

        Assert.Equal(HttpStatusCode.OK, deleted.StatusCode);
        using var body = await ReadJsonAsync(deleted);
        Assert.True(body.RootElement.GetProperty("historyDeleted").GetBoolean());
        Assert.Empty((await new UserHistoryStore(fixture.Store).ReadAsync(user)).Events);
        Assert.Equal(HttpStatusCode.NotFound, vector.StatusCode);
        using var recommendation = await ReadJsonAsync(recommended);
        Assert.Equal("popular", recommendation.RootElement.GetProperty("source").GetString());
        var tombstone = await new ForgottenUsers(fixture.Store, new UserHistoryStore(fixture.Store), TimeProvider.System).ReadAsync(user);
        Assert.NotNull(tombstone);
        var hasher = await UserIdHasherProvider.LoadOrCreateAsync(fixture.Store);
        Assert.Equal(hasher.Hash(user), tombstone.UserIdHmac);
        Assert.Null(tombstone.UserIdSha256);
    }

    [Fact]
    public async Task RetrainStatus_UnknownInstance_Returns404NamingInstanceId()
    {
        using var status = await _client.GetAsync(new Uri("api/retrain/no-such-run", UriKind.Relative));

        await AssertProblemAsync(status, HttpStatusCode.NotFound, field: "instanceId");
    }

    [Fact]
    public async Task Serve_NoModelLive_Returns503OnRecommendationsAndHealth()
    {
        var root = Path.Combine(Path.GetTempPath(), "srec-serve-empty-" + Guid.NewGuid().ToString("N"));
        var (app, client) = await ServeFixture.StartAsync(root);
        try
        {
            using var content = new StringContent("""{"userId":"u1","k":3}""", Encoding.UTF8, "application/json");
            using var recommended = await client.PostAsync(new Uri("api/recommendations", UriKind.Relative), content);
            using var health = await client.GetAsync(new Uri("api/health", UriKind.Relative));

            await AssertProblemAsync(recommended, HttpStatusCode.ServiceUnavailable, field: null);
            await AssertProblemAsync(health, HttpStatusCode.ServiceUnavailable, field: null);
        }
        finally
        {
            client.Dispose();
            await app.StopAsync();
            await app.DisposeAsync();
            if (Directory.Exists(root))
            {
                Directory.Delete(root, recursive: true);
            }
        }
    }

    [Fact]
    public async Task CreateApp_Endpoints_AreExactlyTheRouteTableUnderApi()
    {
        await using var app = ServeCommand.CreateApp(Path.GetTempPath(), "http://127.0.0.1:0", TimeProvider.System);
        var endpoints = ((IEndpointRouteBuilder)app).DataSources.SelectMany(d => d.Endpoints).OfType<RouteEndpoint>()
            .Select(e => (Route: e.RoutePattern.RawText!, Method: e.Metadata.GetMetadata<Microsoft.AspNetCore.Routing.HttpMethodMetadata>()!.HttpMethods.Single()))
            .Order()
            .ToList();

        // The any-method unknown-route entry is answered by serve's edge middleware instead (ServeEdgeTests).
        var expected = RouteTable.Routes.Where(r => r.Method != RouteTable.AnyMethod).Select(r => (Route: $"/{RouteTable.Prefix}/{r.Template}", r.Method)).Order().ToList();
        Assert.Equal(expected, endpoints);
    }

    [Fact]
    public async Task Run_MisspeltOption_IsRejected()
    {
        using var output = new StringWriter();
        using var error = new StringWriter();

        var code = await CliApplication.RunAsync(["serve", "--url", "http://127.0.0.1:1"], output, error);

        Assert.Equal(2, code);
        Assert.Contains("unknown option: --url", error.ToString(), StringComparison.Ordinal);
    }

    private async Task<HttpResponseMessage> PostAsync(string path, string json)
    {
        using var content = new StringContent(json, Encoding.UTF8, "application/json");
        return await _client.PostAsync(new Uri(path, UriKind.Relative), content);
    }

    private static async Task<JsonDocument> ReadJsonAsync(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync());

    private static async Task<string> AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status, string? field)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"{(int)response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var problem = JsonDocument.Parse(text);
        Assert.Equal((int)status, problem.RootElement.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrEmpty(problem.RootElement.GetProperty("detail").GetString()));
        if (field is not null)
        {
            Assert.Equal(field, problem.RootElement.GetProperty("field").GetString());
        }

        return text;
    }
}
