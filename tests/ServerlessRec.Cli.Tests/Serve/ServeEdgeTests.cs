using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using ServerlessRec.Cli.Commands;
using ServerlessRec.Http;
using ServerlessRec.Pipeline;
using ServerlessRec.Storage;

namespace ServerlessRec.Cli.Tests.Serve;

/// <summary>
/// The edge of the real <c>serve</c> host (Kestrel on loopback): what a page in the developer's browser can send
/// without a CORS preflight changes nothing, foreign Host names (DNS rebinding) are refused, and every error the
/// handlers do not answer themselves (no route, wrong method, long URL, an exception) is problem+json too.
/// </summary>
public sealed class ServeEdgeTests : IAsyncLifetime
{
    private const string OtherOrigin = "https://elsewhere.example";
    private readonly string _root = Path.Combine(Path.GetTempPath(), "srec-edge-" + Guid.NewGuid().ToString("N"));
    private WebApplication _app = null!;

    private HttpClient Client { get; set; } = null!;

    public async Task InitializeAsync()
    {
        _app = ServeCommand.CreateApp(
            _root,
            "http://127.0.0.1:0",
            TimeProvider.System,
            mapExtraEndpoints: endpoints => endpoints.MapGet("/api/test-throws", (HttpContext _) => throw new InvalidOperationException("secret /var/data/users path")));
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

    [Theory]
    [InlineData("text/plain")]
    [InlineData("application/x-www-form-urlencoded")]
    public async Task PostEvents_CrossOriginSimpleRequest_Is415AndWritesNothing(string contentType)
    {
        using var request = CrossOrigin(HttpMethod.Post, "api/events", """{"events":[{"userId":"victim","itemId":"i1","type":"purchase"}]}""", contentType);

        using var response = await Client.SendAsync(request);

        await AssertProblemAsync(response, HttpStatusCode.UnsupportedMediaType);
        Assert.False(Directory.Exists(Path.Combine(_root, ContainerNames.Events)), "an events blob was written");
        Assert.False(Directory.Exists(Path.Combine(_root, "users")), "a user history was written");
    }

    [Fact]
    public async Task StartRetrain_CrossOriginTextPlain_Is415AndStartsNoRun()
    {
        using var request = CrossOrigin(HttpMethod.Post, "api/retrain", "{}", "text/plain");

        using var response = await Client.SendAsync(request);

        await AssertProblemAsync(response, HttpStatusCode.UnsupportedMediaType);
        using var status = await Client.GetAsync(new Uri("api/retrain/" + RetrainScheduler.InstanceId, UriKind.Relative));
        Assert.Equal(HttpStatusCode.NotFound, status.StatusCode);
        Assert.False(Directory.Exists(Path.Combine(_root, ContainerNames.Runs)), "a run record was written");
    }

    [Fact]
    public async Task StartRetrain_NoBody_Is415AndStartsNoRun()
    {
        using var response = await Client.PostAsync(new Uri("api/retrain", UriKind.Relative), null);

        await AssertProblemAsync(response, HttpStatusCode.UnsupportedMediaType);
        using var status = await Client.GetAsync(new Uri("api/retrain/" + RetrainScheduler.InstanceId, UriKind.Relative));
        Assert.Equal(HttpStatusCode.NotFound, status.StatusCode);
    }

    [Theory]
    [InlineData("evil.example")]
    [InlineData("evil.example:7071")]
    [InlineData("localhost.evil.example")]
    [InlineData("127.0.0.1.nip.io")]
    public async Task AnyRoute_ForeignHostHeader_Is400AndWritesNothing(string host)
    {
        using var health = new HttpRequestMessage(HttpMethod.Get, new Uri("api/health", UriKind.Relative));
        health.Headers.Host = host;
        using var events = new HttpRequestMessage(HttpMethod.Post, new Uri("api/events", UriKind.Relative))
        {
            Content = new StringContent("""{"events":[{"userId":"victim","itemId":"i1","type":"purchase"}]}""", Encoding.UTF8, "application/json"),
        };
        events.Headers.Host = host;

        using var healthResponse = await Client.SendAsync(health);
        using var eventsResponse = await Client.SendAsync(events);

        await AssertProblemAsync(healthResponse, HttpStatusCode.BadRequest);
        await AssertProblemAsync(eventsResponse, HttpStatusCode.BadRequest);
        Assert.False(Directory.Exists(Path.Combine(_root, "users")), "a user history was written");
    }

    [Theory]
    [InlineData("localhost")]
    [InlineData("LOCALHOST:7071")]
    [InlineData("127.0.0.1")]
    [InlineData("[::1]:7071")]
    public async Task Health_LoopbackHostHeader_IsAnswered(string host)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri("api/health", UriKind.Relative));
        request.Headers.Host = host;

        using var response = await Client.SendAsync(request);

        // No model is live in this store: the handler's own 503 shows the request got through.
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
    }

    [Theory]
    [InlineData("api/nope")]
    [InlineData("api/users/u1/vector/extra")]
    [InlineData("nope")]
    [InlineData("")]
    public async Task Get_UnknownRoute_Is404Problem(string path)
    {
        using var response = await Client.GetAsync(new Uri(path, UriKind.Relative));

        await AssertProblemAsync(response, HttpStatusCode.NotFound);
    }

    [Theory]
    [InlineData("PUT", "api/recommendations", "POST")]
    [InlineData("GET", "api/events", "POST")]
    [InlineData("POST", "api/health", "GET")]
    [InlineData("PATCH", "api/users/u1", "DELETE")]
    public async Task WrongMethod_KnownRoute_Is405ProblemWithAllow(string method, string path, string allowed)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), new Uri(path, UriKind.Relative));

        using var response = await Client.SendAsync(request);

        var problem = await AssertProblemAsync(response, HttpStatusCode.MethodNotAllowed);
        Assert.Equal([allowed], response.Content.Headers.Allow);
        Assert.Contains(allowed, problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Get_UrlOverTheLimit_Is414Problem()
    {
        var path = "api/items/" + new string('x', 10 * 1024) + "/similar";

        using var response = await Client.GetAsync(new Uri(path, UriKind.Relative));

        await AssertProblemAsync(response, HttpStatusCode.RequestUriTooLong);
    }

    [Fact]
    public async Task Get_UrlJustUnderTheLimit_ReachesTheHandler()
    {
        var path = "api/items/i1/similar?pad=" + new string('x', ServeEdgeMiddleware.MaxUrlBytes - 100);

        using var response = await Client.GetAsync(new Uri(path, UriKind.Relative));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
    }

    [Fact]
    public async Task Get_HandlerThrows_Is500ProblemWithoutInternals()
    {
        using var response = await Client.GetAsync(new Uri("api/test-throws", UriKind.Relative));

        var problem = await AssertProblemAsync(response, HttpStatusCode.InternalServerError);
        Assert.Equal(ApiProblems.InternalErrorDetail, problem.GetProperty("detail").GetString());
        Assert.DoesNotContain("secret", problem.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("http://127.0.0.1:7071", "localhost:7071", true)]
    [InlineData("http://localhost:7071", "[::1]", true)]
    [InlineData("http://127.0.0.1:7071", "example.com", false)]
    [InlineData("http://192.168.1.20:7071", "192.168.1.20:7071", true)]
    [InlineData("http://192.168.1.20:7071", "localhost", false)]
    [InlineData("http://devbox.lan:7071;http://127.0.0.1:7071", "DEVBOX.lan", true)]
    [InlineData("http://devbox.lan:7071;http://127.0.0.1:7071", "127.0.0.1", true)]
    [InlineData("http://[::1]:7071", "127.0.0.1:7071", true)]
    [InlineData("http://0.0.0.0:7071", "anything.example", true)]
    [InlineData("http://*:7071", "anything.example", true)]
    [InlineData("http://127.0.0.1:7071", "", false)]
    public void HostPolicy_HostHeader_IsAllowedOnlyForTheBoundHosts(string urls, string host, bool allowed)
    {
        var policy = new ServeEdgeMiddleware.HostPolicy(urls);

        Assert.Equal(allowed, policy.Allows(new HostString(host)));
    }

    private static HttpRequestMessage CrossOrigin(HttpMethod method, string path, string body, string contentType)
    {
        // What a form or fetch(..., {mode: "no-cors"}) on another site sends: no preflight for these media types.
        var request = new HttpRequestMessage(method, new Uri(path, UriKind.Relative))
        {
            Content = new StringContent(body, Encoding.UTF8, contentType),
        };
        request.Headers.Add("Origin", OtherOrigin);
        return request;
    }

    private static async Task<JsonElement> AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"{(int)response.StatusCode}: {text}");
        Assert.Equal(ApiProblems.ContentType, response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(text).RootElement.Clone();
        Assert.Equal((int)status, problem.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrWhiteSpace(problem.GetProperty("title").GetString()));
        Assert.False(string.IsNullOrWhiteSpace(problem.GetProperty("detail").GetString()));
        Assert.DoesNotContain("   at ", text, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", text, StringComparison.Ordinal);
        Assert.False(response.Headers.Contains("Access-Control-Allow-Origin"));
        return problem;
    }
}
