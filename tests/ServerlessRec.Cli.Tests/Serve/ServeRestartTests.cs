using System.Net;
using System.Text;
using System.Text.Json;

namespace ServerlessRec.Cli.Tests.Serve;

/// <summary><c>serve</c> stopped in the middle of a load and started again over the same store.</summary>
public sealed class ServeRestartTests(ServeFixture fixture) : IClassFixture<ServeFixture>
{
    [Fact]
    public async Task Serve_StoppedMidLoadAndStartedAgain_ComesBackOnTheLiveModel()
    {
        var root = fixture.Store.RootPath;
        var (first, firstClient) = await ServeFixture.StartAsync(root);
        using var stopLoad = new CancellationTokenSource();
        var answered = 0;
        var load = Task.WhenAll(Enumerable.Range(0, 8).Select(worker => Task.Run(async () =>
        {
            while (!stopLoad.IsCancellationRequested)
            {
                try
                {
                    using var content = new StringContent($$"""{"userId":"u{{worker}}","k":5}""", Encoding.UTF8, "application/json");
                    using var response = await firstClient.PostAsync(new Uri("api/recommendations", UriKind.Relative), content, stopLoad.Token);
                    if (response.StatusCode == HttpStatusCode.OK)
                    {
                        Interlocked.Increment(ref answered);
                    }
                }
                catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException)
                {
                    // The host is going away under the load: refused and aborted calls are expected here.
                }
            }
        })));

        while (Volatile.Read(ref answered) < 50)
        {
            await Task.Delay(10);
        }

        await first.StopAsync();
        await first.DisposeAsync();
        await stopLoad.CancelAsync();
        await load;
        firstClient.Dispose();

        var (second, client) = await ServeFixture.StartAsync(root);
        try
        {
            using var health = await client.GetAsync(new Uri("api/health", UriKind.Relative));
            using var content = new StringContent("""{"userId":"u3","k":5}""", Encoding.UTF8, "application/json");
            using var recommended = await client.PostAsync(new Uri("api/recommendations", UriKind.Relative), content);

            Assert.Equal(HttpStatusCode.OK, health.StatusCode);
            Assert.Equal(HttpStatusCode.OK, recommended.StatusCode);
            using var body = JsonDocument.Parse(await recommended.Content.ReadAsStringAsync());
            Assert.Equal("v1", body.RootElement.GetProperty("modelVersion").GetString());
            Assert.Equal(5, body.RootElement.GetProperty("items").GetArrayLength());
        }
        finally
        {
            client.Dispose();
            await second.StopAsync();
            await second.DisposeAsync();
        }
    }
}
