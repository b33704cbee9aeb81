using System.Net;
using System.Text;
using System.Text.Json;
using ServerlessRec.Http;

namespace ServerlessRec.Cli.Tests.Serve;

/// <summary>Oversized bodies on the real Kestrel host, with and without Content-Length: a 413 problem, never a 500.</summary>
public sealed class ServeBodyLimitTests
{
    [Theory]
    [InlineData("api/events", true)]
    [InlineData("api/events", false)]
    [InlineData("api/recommendations", false)]
    public async Task Post_BodyOverTheLimit_Returns413Problem(string path, bool withContentLength)
    {
        var root = Path.Combine(Path.GetTempPath(), "srec-limit-" + Guid.NewGuid().ToString("N"));
        var (app, client) = await ServeFixture.StartAsync(root);
        try
        {
            var json = Encoding.UTF8.GetBytes("{\"events\":[],\"padding\":\"" + new string('x', RequestBody.MaxBytes) + "\"}");
            HttpContent content = withContentLength ? new ByteArrayContent(json) : new StreamContent(new UnknownLengthStream(json));
            content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
            using (content)
            {
                using var response = await client.PostAsync(new Uri(path, UriKind.Relative), content);

                var text = await response.Content.ReadAsStringAsync();
                Assert.True(response.StatusCode == HttpStatusCode.RequestEntityTooLarge, $"{(int)response.StatusCode}: {text}");
                Assert.Equal(ApiProblems.ContentType, response.Content.Headers.ContentType?.MediaType);
                using var problem = JsonDocument.Parse(text);
                Assert.Equal(413, problem.RootElement.GetProperty("status").GetInt32());
                Assert.DoesNotContain("   at ", text, StringComparison.Ordinal);
                Assert.DoesNotContain("Exception", text, StringComparison.Ordinal);
            }
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

    /// <summary>A stream that hides its length, so the client sends the body chunked (no Content-Length).</summary>
    private sealed class UnknownLengthStream(byte[] bytes) : MemoryStream(bytes)
    {
        public override bool CanSeek => false;

        public override long Length => throw new NotSupportedException();
    }
}
