using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;

namespace ServerlessRec.Cli.Tests.Serve;

/// <summary>
/// The catalog API on the real <c>serve</c> host (embedded index): <c>PUT /api/items</c> and <c>DELETE /api/items/{itemId}</c>
/// change what a running instance recommends within 5 seconds, and bad bodies are 400 problems naming the field.
/// </summary>
public sealed class ServeCatalogTests(ServeFixture fixture) : IClassFixture<ServeFixture>
{
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(5);
    private readonly HttpClient _client = fixture.Client;

    [Fact]
    public async Task PutItems_NewItem_InACategoryFilteredRecommendationWithin5Seconds()
    {
        var user = "catalog-fan-" + Guid.NewGuid().ToString("N")[..8];
        await PostEventsAsync(user, "i1", "i2", "i3");
        Assert.DoesNotContain("shop-new-1", await RecommendAsync(user, "left"));

        using var put = await SendAsync(HttpMethod.Put, "api/items", """{"items":[{"itemId":"shop-new-1","title":"Brand new","categories":["left"],"tags":["tag1"],"available":true,"attributes":{"price":12.5}}]}""");
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        using (var body = JsonDocument.Parse(await put.Content.ReadAsStringAsync()))
        {
            Assert.Equal(1, body.RootElement.GetProperty("accepted").GetInt32());
            Assert.StartsWith("catalog/updates/", body.RootElement.GetProperty("update").GetString(), StringComparison.Ordinal);
        }

        var clock = Stopwatch.StartNew();
        while (!(await RecommendAsync(user, "left")).Contains("shop-new-1"))
        {
            Assert.True(clock.Elapsed < Within, "the new item did not appear within 5 s");
            await Task.Delay(100);
        }

        Assert.DoesNotContain("shop-new-1", await RecommendAsync(user, "right"));
    }

    [Fact]
    public async Task PutItems_ItemSetUnavailable_NeverRecommendedAfter5Seconds_AndDeleteRemovesIt()
    {
        var user = "catalog-user-" + Guid.NewGuid().ToString("N")[..8];
        await PostEventsAsync(user, "i21", "i22");
        Assert.Contains("i30", await RecommendAsync(user, null, k: 40));

        using var put = await SendAsync(HttpMethod.Put, "api/items", """{"items":[{"itemId":"i30","categories":["right"],"tags":["tag0"],"available":false}]}""");
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        await Task.Delay(Within);

        for (var i = 0; i < 5; i++)
        {
            Assert.DoesNotContain("i30", await RecommendAsync(user, null, k: 40));
            Assert.DoesNotContain("i30", await RecommendAsync("catalog-anonymous", "right", k: 40));
        }

        using var delete = await _client.DeleteAsync(new Uri("api/items/i31", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, delete.StatusCode);
        Assert.DoesNotContain("i31", await RecommendAsync(user, null, k: 40, includeUnavailable: true));
        using var similar = await _client.GetAsync(new Uri("api/items/i31/similar", UriKind.Relative));
        Assert.Equal(HttpStatusCode.NotFound, similar.StatusCode);
    }

    [Theory]
    [InlineData("""{"items":[]}""", "items")]
    [InlineData("""{"items":[{"title":"no id"}]}""", "items[0].itemId")]
    [InlineData("""{"items":[{"itemId":"a","available":"yes"}]}""", "items[0].available")]
    [InlineData("""{"items":[{"itemId":"a","categories":"left"}]}""", "items[0].categories")]
    [InlineData("""{"items":[{"itemId":"a","categories":["left",7]}]}""", "items[0].categories[1]")]
    [InlineData("""{"items":[{"itemId":"a","colour":"red"}]}""", "items[0].colour")]
    [InlineData("""{"item":[]}""", "item")]
    public async Task PutItems_BadBody_400ProblemNamingTheField(string body, string field)
    {
        using var response = await SendAsync(HttpMethod.Put, "api/items", body);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(field, problem.RootElement.GetProperty("field").GetString());
    }

    [Fact]
    public async Task PutItems_1001Items_400NamingItems()
    {
        var items = string.Join(",", Enumerable.Range(0, 1001).Select(i => $$"""{"itemId":"b{{i}}"}"""));

        using var response = await SendAsync(HttpMethod.Put, "api/items", $$"""{"items":[{{items}}]}""");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("items", problem.RootElement.GetProperty("field").GetString());
    }

    private async Task PostEventsAsync(string user, params string[] items)
    {
        var events = string.Join(",", items.Select((item, i) => $$"""{"userId":"{{user}}","itemId":"{{item}}","type":"view","timestamp":"{{DateTimeOffset.UtcNow.AddMinutes(i - 10):O}}"}"""));
        using var posted = await SendAsync(HttpMethod.Post, "api/events", $$"""{"events":[{{events}}]}""");
        Assert.Equal(HttpStatusCode.Accepted, posted.StatusCode);
    }

    private async Task<List<string>> RecommendAsync(string user, string? category, int k = 10, bool includeUnavailable = false)
    {
        var filter = JsonSerializer.Serialize(new { categories = category is null ? Array.Empty<string>() : [category], includeUnavailable });
        using var response = await SendAsync(HttpMethod.Post, "api/recommendations", $$"""{"userId":"{{user}}","k":{{k}},"filter":{{filter}}}""");
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        using var body = JsonDocument.Parse(text);
        return body.RootElement.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("itemId").GetString()!).ToList();
    }

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string json)
    {
        using var request = new HttpRequestMessage(method, new Uri(path, UriKind.Relative)) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        return await _client.SendAsync(request);
    }
}
