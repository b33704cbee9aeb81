using System.Net;
using System.Text;

namespace ServerlessRec.Cli.Tests.Serve;

/// <summary>CORS is closed by default: <c>serve</c> adds no policy, so a browser on another origin is refused.</summary>
public sealed class ServeCorsTests
{
    private const string OtherOrigin = "https://elsewhere.example";

    [Theory]
    [InlineData("api/recommendations", "POST")]
    [InlineData("api/events", "POST")]
    [InlineData("api/users/u1", "DELETE")]
    [InlineData("api/health", "GET")]
    public async Task Serve_PreflightFromAnotherOrigin_GetsNoAllowOrigin(string path, string method)
    {
        await WithServeAsync(async client =>
        {
            using var preflight = new HttpRequestMessage(HttpMethod.Options, new Uri(path, UriKind.Relative));
            preflight.Headers.Add("Origin", OtherOrigin);
            preflight.Headers.Add("Access-Control-Request-Method", method);
            preflight.Headers.Add("Access-Control-Request-Headers", "content-type");

            using var response = await client.SendAsync(preflight);

            Assert.NotEqual(HttpStatusCode.InternalServerError, response.StatusCode);
            Assert.False(response.Headers.Contains("Access-Control-Allow-Origin"), $"{(int)response.StatusCode} allows {string.Join(",", response.Headers.Where(h => h.Key.StartsWith("Access-Control", StringComparison.Ordinal)).Select(h => h.Key))}");
            Assert.False(response.Headers.Contains("Access-Control-Allow-Methods"));
        });
    }

    [Fact]
    public async Task Serve_SimpleRequestFromAnotherOrigin_GetsNoAllowOrigin()
    {
        await WithServeAsync(async client =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, new Uri("api/recommendations", UriKind.Relative))
            {
                Content = new StringContent("""{"userId":"u1"}""", Encoding.UTF8, "application/json"),
            };
            request.Headers.Add("Origin", OtherOrigin);

            using var response = await client.SendAsync(request);

            Assert.False(response.Headers.Contains("Access-Control-Allow-Origin"));
        });
    }

    private static async Task WithServeAsync(Func<HttpClient, Task> test)
    {
        var root = Path.Combine(Path.GetTempPath(), "srec-cors-" + Guid.NewGuid().ToString("N"));
        var (app, client) = await ServeFixture.StartAsync(root);
        try
        {
            await test(client);
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
}
