using System.Net;
using System.Text;
using System.Text.Json;

namespace ServerlessRec.Cli.Tests.Serve;

/// <summary>
/// Every route with a user or item id, on the real <c>serve</c> host, with ids the contract accepts but paths mangle:
/// the id is encoded once (<see cref="Uri.EscapeDataString"/>, like <c>encodeURIComponent</c>) and must arrive as is,
/// in the path form and in the query form.
/// </summary>
public sealed class ServeIdRoutesTests(ServeFixture fixture) : IClassFixture<ServeFixture>
{
    private readonly HttpClient _client = fixture.Client;

    public static TheoryData<string> AwkwardIds() =>
    [
        "a/b",
        "a%2Fb",
        "100%",
        "%41",
        "a+b c",
        "ü日é",
        new string('ü', 43),
        new string('%', 86),
        new string('é', 128),
        new string('日', 128),
        string.Concat(Enumerable.Repeat("a/%+ é", 21)) + "xy",
    ];

    [Theory]
    [MemberData(nameof(AwkwardIds))]
    public async Task UserRoutes_AwkwardId_ReachThatUserInPathAndQueryForm(string userId)
    {
        var id = Uri.EscapeDataString(userId);
        var events = JsonSerializer.Serialize(new { events = new[] { new { userId, itemId = "i1", type = "view" }, new { userId, itemId = "i2", type = "view" } } });

        using var posted = await PostAsync("api/events", events);
        using var vector = await GetAsync($"api/users/{id}/vector");
        using var vectorByQuery = await GetAsync($"api/users/vector?userId={id}");
        using var export = await GetAsync($"api/users/{id}/export");
        using var exportByQuery = await GetAsync($"api/users/export?userId={id}");
        using var forget = await _client.DeleteAsync(new Uri($"api/users/{id}", UriKind.Relative));
        using var afterForget = await GetAsync($"api/users/export?userId={id}");
        using var forgetByQuery = await _client.DeleteAsync(new Uri($"api/users?userId={id}", UriKind.Relative));

        Assert.True(posted.StatusCode == HttpStatusCode.Accepted, $"POST api/events: {(int)posted.StatusCode} {await posted.Content.ReadAsStringAsync()}");
        foreach (var response in new[] { vector, vectorByQuery, export, exportByQuery, forget, afterForget, forgetByQuery })
        {
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{response.RequestMessage!.Method} {response.RequestMessage.RequestUri}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            using var body = await ReadJsonAsync(response);
            Assert.Equal(userId, body.RootElement.GetProperty("userId").GetString());
        }

        using (var exported = await ReadJsonAsync(export))
        {
            Assert.Equal(["i1", "i2"], exported.RootElement.GetProperty("events").EnumerateArray().Select(e => e.GetProperty("itemId").GetString()).Order(StringComparer.Ordinal));
            Assert.Equal(JsonValueKind.Null, exported.RootElement.GetProperty("forgottenAt").ValueKind);
            var blob = Assert.Single(exported.RootElement.GetProperty("blobs").EnumerateArray()).GetString()!;
            Assert.Matches("^users/[0-9a-f]{2}/[0-9a-f]{64}\\.json$", blob);
        }

        using (var forgotten = await ReadJsonAsync(forget))
        {
            Assert.True(forgotten.RootElement.GetProperty("historyDeleted").GetBoolean());
        }

        using (var after = await ReadJsonAsync(afterForget))
        {
            Assert.Equal(0, after.RootElement.GetProperty("events").GetArrayLength());
            Assert.Equal(JsonValueKind.String, after.RootElement.GetProperty("forgottenAt").ValueKind);
        }

        using var second = await ReadJsonAsync(forgetByQuery);
        Assert.False(second.RootElement.GetProperty("historyDeleted").GetBoolean());
    }

    [Theory]
    [MemberData(nameof(AwkwardIds))]
    public async Task SimilarItems_AwkwardUnknownItemId_Is404NamingExactlyThatIdInBothForms(string itemId)
    {
        var id = Uri.EscapeDataString(itemId);

        using var byPath = await GetAsync($"api/items/{id}/similar");
        using var byQuery = await GetAsync($"api/items/similar?itemId={id}");

        foreach (var response in new[] { byPath, byQuery })
        {
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            using var problem = await ReadJsonAsync(response);
            Assert.Equal("itemId", problem.RootElement.GetProperty("field").GetString());
            Assert.Contains($"item \"{itemId}\" is not in model", problem.RootElement.GetProperty("detail").GetString(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task SimilarItems_KnownItem_QueryFormAnswersLikeThePathForm()
    {
        using var byPath = await GetAsync("api/items/i3/similar?k=5");
        using var byQuery = await GetAsync("api/items/similar?itemId=i3&k=5");

        Assert.Equal(HttpStatusCode.OK, byPath.StatusCode);
        using var path = System.Text.Json.JsonDocument.Parse(await byPath.Content.ReadAsStringAsync());
        using var query = System.Text.Json.JsonDocument.Parse(await byQuery.Content.ReadAsStringAsync());
        // The same answer, but each response has its own recommendationId.
        foreach (var property in new[] { "modelVersion", "arm", "source", "items" })
        {
            Assert.Equal(path.RootElement.GetProperty(property).GetRawText(), query.RootElement.GetProperty(property).GetRawText());
        }

        Assert.NotEqual(path.RootElement.GetProperty("recommendationId").GetString(), query.RootElement.GetProperty("recommendationId").GetString());
    }

    [Theory]
    [InlineData("api/users/vector", "userId")]
    [InlineData("api/users/vector?userId=a&userId=b", "userId")]
    [InlineData("api/users/export?userId=", "userId")]
    [InlineData("api/items/similar?itemId=i3&itemId=i4", "itemId")]
    public async Task QueryForms_MissingEmptyOrRepeatedId_Are400NamingIt(string path, string field)
    {
        using var response = await GetAsync(path);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using var problem = await ReadJsonAsync(response);
        Assert.Equal(field, problem.RootElement.GetProperty("field").GetString());
    }

    private Task<HttpResponseMessage> GetAsync(string path) => _client.GetAsync(new Uri(path, UriKind.Relative));

    private async Task<HttpResponseMessage> PostAsync(string path, string json)
    {
        using var content = new StringContent(json, Encoding.UTF8, "application/json");
        return await _client.PostAsync(new Uri(path, UriKind.Relative), content);
    }

    private static async Task<JsonDocument> ReadJsonAsync(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync());
}
