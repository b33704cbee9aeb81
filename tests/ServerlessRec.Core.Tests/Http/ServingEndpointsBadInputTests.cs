using System.Text.Json;
using ServerlessRec.Core.Tests.Serving;
using ServerlessRec.Http;
using ServerlessRec.Serving;

namespace ServerlessRec.Core.Tests.Http;

/// <summary>
/// Bad input at every entry point of the API: each answer is a 400/404/413 problem+json naming the field, never a 500
/// and never a stack trace; nothing is written for a rejected request. The model of <see cref="ServingFixture"/> is live.
/// </summary>
public sealed class ServingEndpointsBadInputTests(ServingFixture fixture) : IClassFixture<ServingFixture>
{
    private static readonly string LongId = new('x', RequestRules.MaxIdLength + 1);

    private static string Events(int count, Func<int, string>? item = null) =>
        "{\"events\":[" + string.Join(",", Enumerable.Range(0, count).Select(i => $$"""{"userId":"bad-input","itemId":"{{item?.Invoke(i) ?? "i1"}}","type":"view"}""")) + "]}";

    private static string Huge(string prefix) => prefix + new string(' ', RequestBody.MaxBytes) + "}";

    /// <summary>Route, body, query, route values (name=value), expected status, expected field (null: none).</summary>
    public static TheoryData<string, string?, string, string, int, string?> Cases => new()
    {
        // POST /api/recommendations
        { "Recommendations", """{"userId": "u1", "k": """, "", "", 400, null },
        { "Recommendations", """{"userId":"u1" "k":3}""", "", "", 400, null },
        { "Recommendations", """{"userId":"u1"} trailing""", "", "", 400, null },
        { "Recommendations", "", "", "", 400, null },
        { "Recommendations", "null", "", "", 400, null },
        { "Recommendations", "[1,2,3]", "", "", 400, null },
        { "Recommendations", "\"u1\"", "", "", 400, null },
        { "Recommendations", new string('[', 100) + new string(']', 100), "", "", 400, null },
        { "Recommendations", """{"userId":"u1","k":"ten"}""", "", "", 400, "k" },
        { "Recommendations", """{"userId":"u1","k":99999999999}""", "", "", 400, "k" },
        { "Recommendations", """{"userId":"u1","k":2.5}""", "", "", 400, "k" },
        { "Recommendations", """{"userId":5}""", "", "", 400, "userId" },
        { "Recommendations", """{"k":3}""", "", "", 400, "userId" },
        { "Recommendations", """{"userId":""}""", "", "", 400, "userId" },
        { "Recommendations", $$"""{"userId":"{{LongId}}"}""", "", "", 400, "userId" },
        { "Recommendations", """{"userId":"u\u0000x"}""", "", "", 400, "userId" },
        { "Recommendations", """{"userId":"u\nx"}""", "", "", 400, "userId" },
        { "Recommendations", """{"userId":"u1","k":0}""", "", "", 400, "k" },
        { "Recommendations", """{"userId":"u1","k":-3}""", "", "", 400, "k" },
        { "Recommendations", $$"""{"userId":"u1","k":{{RequestRules.MaxK + 1}}}""", "", "", 400, "k" },
        { "Recommendations", """{"userId":"u1","recentEvents":{"itemId":"i1"}}""", "", "", 400, "recentEvents" },
        { "Recommendations", """{"userId":"u1","recentEvents":[{"type":"view"}]}""", "", "", 400, "recentEvents[0].itemId" },
        { "Recommendations", $$"""{"userId":"u1","recentEvents":[{"itemId":"{{LongId}}","type":"view"}]}""", "", "", 400, "recentEvents[0].itemId" },
        { "Recommendations", """{"userId":"u1","recentEvents":[{"itemId":"i\u0007","type":"view"}]}""", "", "", 400, "recentEvents[0].itemId" },
        { "Recommendations", """{"userId":"u1","recentEvents":[{"itemId":"i1","type":"teleport"}]}""", "", "", 400, "recentEvents[0].type" },
        { "Recommendations", """{"userId":"u1","recentEvents":[{"itemId":"i1","type":"view","timestamp":"yesterday"}]}""", "", "", 400, "recentEvents[0].timestamp" },
        { "Recommendations", """{"userId":"u1","recentEvents":[{"itemId":"i1","type":"view","value":"five"}]}""", "", "", 400, "recentEvents[0].value" },
        { "Recommendations", """{"userId":"u1","recentEvents":[{"itemId":"i1","type":"rating","value":1e39}]}""", "", "", 400, "recentEvents[0].value" },
        { "Recommendations", """{"userId":"u1","recentEvents":[{"itemId":"i1","type":"rating","value":-1e308}]}""", "", "", 400, "recentEvents[0].value" },
        { "Recommendations", "{\"userId\":\"u1\",\"recentEvents\":[" + string.Join(",", Enumerable.Repeat("""{"itemId":"i1","type":"view"}""", RequestRules.MaxRequestEvents + 1)) + "]}", "", "", 400, "recentEvents" },
        { "Recommendations", """{"userId":"u1","filter":{"categories":"left"}}""", "", "", 400, "filter.categories" },
        { "Recommendations", $$$"""{"userId":"u1","filter":{"excludeItemIds":["{{{LongId}}}"]}}""", "", "", 400, "filter.excludeItemIds[0]" },
        { "Recommendations", """{"userId":"u1","diversity":2}""", "", "", 400, "diversity" },
        { "Recommendations", """{"userId":"u1","exploration":-1}""", "", "", 400, "exploration" },
        { "Recommendations", Huge("""{"userId":"u1","padding":"x" """), "", "", 413, null },
        { "Recommendations", """{"userId":"u1","K":3}""", "", "", 400, "K" },
        { "Recommendations", """{"userId":"u1","filter":{"category":"left"}}""", "", "", 400, "filter.category" },
        { "Recommendations", """{"userId":"u1","filter":{"categories":["left"],"available":true}}""", "", "", 400, "filter.available" },
        { "Recommendations", """{"userId":"u1","recentEvents":[{"itemId":"i1","type":"view","userId":"u2"}]}""", "", "", 400, "recentEvents[0].userId" },
        { "Recommendations", """{"userId":"u1","filter":{"x y":1}}""", "", "", 400, "filter['x y']" },
        { "Recommendations", """{"userId":"u1","recentEvents":[{"itemId":"i1","type":"view","timestamp":"2026-01-01"}]}""", "", "", 400, "recentEvents[0].timestamp" },
        { "Recommendations", """{"userId":"u1","recentEvents":[{"itemId":"i1","type":"view","timestamp":"2026-01-01T10:00:00"}]}""", "", "", 400, "recentEvents[0].timestamp" },
        { "Recommendations", """{"userId":"u1","recentEvents":[{"itemId":"i1","type":"view","timestamp":1767225600000}]}""", "", "", 400, "recentEvents[0].timestamp" },
        { "Recommendations", """{"userId":"u1","recentEvents":[{"itemId":"i1","type":"view","timestamp":""}]}""", "", "", 400, "recentEvents[0].timestamp" },
        { "Recommendations", """{"userId":"u1","recentEvents":[{"itemId":"i1","type":"view","timestamp":true}]}""", "", "", 400, "recentEvents[0].timestamp" },
        { "Recommendations", """{"userId":"u1","filter":{"categories":[""" + string.Join(",", Enumerable.Repeat("\"left\"", RequestRules.MaxCategories + 1)) + "]}}", "", "", 400, "filter.categories" },
        { "Recommendations", """{"userId":"u1","filter":{"excludeItemIds":[""" + string.Join(",", Enumerable.Range(0, RequestRules.MaxExcludeItemIds + 1).Select(i => $"\"i{i}\"")) + "]}}", "", "", 400, "filter.excludeItemIds" },

        // POST /api/events
        { "PostEvents", """{"events":[""", "", "", 400, null },
        { "PostEvents", "{}", "", "", 400, "events" },
        { "PostEvents", """{"events":"many"}""", "", "", 400, "events" },
        { "PostEvents", """{"events":[]}""", "", "", 400, "events" },
        { "PostEvents", Events(ServingEndpoints.MaxEventsPerPost + 1), "", "", 400, "events" },
        { "PostEvents", """{"events":[null]}""", "", "", 400, "events[0]" },
        { "PostEvents", """{"events":[{"itemId":"i1","type":"view"}]}""", "", "", 400, "events[0].userId" },
        { "PostEvents", """{"events":[{"userId":"u1","type":"view"}]}""", "", "", 400, "events[0].itemId" },
        { "PostEvents", """{"events":[{"userId":"u1","itemId":"i1"}]}""", "", "", 400, "events[0].type" },
        { "PostEvents", """{"events":[{"userId":true,"itemId":"i1","type":"view"}]}""", "", "", 400, "events[0].userId" },
        { "PostEvents", Events(2, i => i == 1 ? LongId : "i1"), "", "", 400, "events[1].itemId" },
        { "PostEvents", Events(3, i => i == 2 ? "i\\u001f" : "i1"), "", "", 400, "events[2].itemId" },
        { "PostEvents", """{"events":[{"userId":"u1","itemId":"i1","type":"view","timestamp":"2999-01-01T00:00:00Z"}]}""", "", "", 400, "events[0].timestamp" },
        { "PostEvents", """{"events":[{"userId":"u1","itemId":"i1","type":"view","value":[1]}]}""", "", "", 400, "events[0].value" },
        { "PostEvents", """{"events":[{"userId":"u1","itemId":"i1","type":"rating","value":1e39}]}""", "", "", 400, "events[0].value" },
        { "PostEvents", """{"events":[{"userId":"u1","itemId":"i1","type":"rating","value":-1e308}]}""", "", "", 400, "events[0].value" },
        { "PostEvents", """{"events":[{"userId":"u1","itemId":"i1","type":"rating","value":1e400}]}""", "", "", 400, "events[0].value" },
        { "PostEvents", """{"events":[{"userId":"u1","itemId":"i1","type":"rating","value":4},{"userId":"u1","itemId":"i2","type":"rating","value":1000000.5}]}""", "", "", 400, "events[1].value" },
        { "PostEvents", Huge("""{"events":[], "padding":"x" """), "", "", 413, null },
        { "PostEvents", """{"events":[{"userId":"u1","itemId":"i1","type":"view"}],"source":"web"}""", "", "", 400, "source" },
        { "PostEvents", """{"events":[{"userId":"u1","itemId":"i1","type":"view","Value":3}]}""", "", "", 400, "events[0].Value" },
        { "PostEvents", """{"events":[{"userId":"u1","itemId":"i1","type":"view","timestamp":"2026-01-01"}]}""", "", "", 400, "events[0].timestamp" },
        { "PostEvents", """{"events":[{"userId":"u1","itemId":"i1","type":"view","timestamp":"2026-01-01T10:00:00"}]}""", "", "", 400, "events[0].timestamp" },
        { "PostEvents", """{"events":[{"userId":"u1","itemId":"i1","type":"view","timestamp":"now"}]}""", "", "", 400, "events[0].timestamp" },
        { "PostEvents", """{"events":[{"userId":"u1","itemId":"i1","type":"view","timestamp":{"seconds":1}}]}""", "", "", 400, "events[0].timestamp" },

        // POST /api/retrain (the body must be {}; validation comes before the Durable client, which the harness lacks)
        { "StartRetrain", "", "", "", 400, null },
        { "StartRetrain", "[]", "", "", 400, null },
        { "StartRetrain", """{"force":true}""", "", "", 400, "force" },

        // GET /api/items/{itemId}/similar
        { "SimilarItems", null, "?k=3", "itemId=no-such-item", 404, "itemId" },
        { "SimilarItems", null, "?k=3", "itemId=" + LongId, 400, "itemId" },
        { "SimilarItems", null, "?k=3", "itemId=i\u00011", 400, "itemId" },
        { "SimilarItems", null, "?k=0", "itemId=i1", 400, "k" },
        { "SimilarItems", null, $"?k={RequestRules.MaxK + 1}", "itemId=i1", 400, "k" },
        { "SimilarItems", null, "?k=ten", "itemId=i1", 400, "k" },
        { "SimilarItems", null, "?k=1&k=2", "itemId=i1", 400, "k" },
        { "SimilarItems", null, "?includeUnavailable=maybe", "itemId=i1", 400, "includeUnavailable" },

        // GET /api/users/{userId}/vector and DELETE /api/users/{userId}
        { "UserVector", null, "", "userId=nobody-" + Guid.NewGuid().ToString("N"), 404, "userId" },
        { "UserVector", null, "", "userId=" + LongId, 400, "userId" },
        { "UserVector", null, "", "userId=u\u007f", 400, "userId" },
        { "ForgetUser", null, "", "userId=" + LongId, 400, "userId" },
        { "ForgetUser", null, "", "userId=u\u0085", 400, "userId" },
        { "ForgetUser", null, "", "userId=", 400, "userId" },

        // Any method on a path under /api that no route starts with (the Functions app's UnknownRoute)
        { "UnknownRoute", null, "", "path=recomendations", 404, null },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Handler_BadInput_ReturnsProblemNamingTheField(string route, string? body, string query, string routeValue, int status, string? field)
    {
        using var harness = new EndpointHarness(fixture.Store);
        var values = routeValue.Length == 0 ? null : new Dictionary<string, string> { [routeValue[..routeValue.IndexOf('=', StringComparison.Ordinal)]] = routeValue[(routeValue.IndexOf('=', StringComparison.Ordinal) + 1)..] };

        var response = await harness.SendAsync(route, body, query, values);

        Assert.True(response.Status == status, $"{response.Status}: {response.Body}");
        Assert.Equal(ApiProblems.ContentType, response.ContentType);
        using var problem = JsonDocument.Parse(response.Body);
        Assert.Equal(status, problem.RootElement.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrWhiteSpace(problem.RootElement.GetProperty("detail").GetString()));
        Assert.Equal(field, problem.RootElement.TryGetProperty("field", out var named) ? named.GetString() : null);
        AssertNoInternals(response.Body);
        Assert.DoesNotContain(harness.Logs.Logs, l => l.Level >= Microsoft.Extensions.Logging.LogLevel.Error);
    }

    /// <summary>Route, body, Content-Type (null: none): every route that reads a body answers 415 unless it is declared as JSON.</summary>
    public static TheoryData<string, string, string?> NotJsonCases => new()
    {
        { "Recommendations", """{"userId":"u1"}""", "text/plain" },
        { "Recommendations", """{"userId":"u1"}""", "text/plain; charset=utf-8" },
        { "Recommendations", "userId=u1", "application/x-www-form-urlencoded" },
        { "Recommendations", """{"userId":"u1"}""", null },
        { "PostEvents", """{"events":[{"userId":"u1","itemId":"i1","type":"view"}]}""", "text/plain" },
        { "PostEvents", """{"events":[{"userId":"u1","itemId":"i1","type":"view"}]}""", "multipart/form-data; boundary=x" },
        { "PostEvents", """{"events":[{"userId":"u1","itemId":"i1","type":"view"}]}""", "text/json" },
        { "PostEvents", """{"events":[{"userId":"u1","itemId":"i1","type":"view"}]}""", "application/json; charset=iso-8859-1" },
        { "PostEvents", """{"events":[{"userId":"u1","itemId":"i1","type":"view"}]}""", "json" },
        { "StartRetrain", "{}", "text/plain" },
        { "StartRetrain", "{}", null },
    };

    [Theory]
    [MemberData(nameof(NotJsonCases))]
    public async Task Handler_BodyNotDeclaredAsJson_Returns415Problem(string route, string body, string? contentType)
    {
        using var harness = new EndpointHarness(fixture.Store);

        var response = await harness.SendAsync(route, body, contentType: contentType);

        Assert.True(response.Status == 415, $"{response.Status}: {response.Body}");
        Assert.Equal(ApiProblems.ContentType, response.ContentType);
        using var problem = JsonDocument.Parse(response.Body);
        Assert.Equal(415, problem.RootElement.GetProperty("status").GetInt32());
        Assert.Contains("application/json", problem.RootElement.GetProperty("detail").GetString(), StringComparison.Ordinal);
        AssertNoInternals(response.Body);
    }

    [Theory]
    [InlineData("application/json")]
    [InlineData("application/json; charset=utf-8")]
    [InlineData("Application/JSON; charset=\"UTF-8\"")]
    [InlineData("application/vnd.serverlessrec+json")]
    public async Task Recommend_JsonMediaTypes_AreAccepted(string contentType)
    {
        using var harness = new EndpointHarness(fixture.Store);

        var response = await harness.SendAsync("Recommendations", """{"userId":"u1","k":3}""", contentType: contentType);

        Assert.True(response.Status == 200, $"{response.Status}: {response.Body}");
    }

    [Fact]
    public async Task Recommend_UnknownProperty_NamesTheOnesItTakes()
    {
        using var harness = new EndpointHarness(fixture.Store);

        var response = await harness.SendAsync("Recommendations", """{"userId":"u1","filter":{"category":"left"}}""");

        using var problem = JsonDocument.Parse(response.Body);
        var detail = problem.RootElement.GetProperty("detail").GetString()!;
        Assert.Contains("filter.category is not a property", detail, StringComparison.Ordinal);
        Assert.Contains("categories", detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Recommend_FilterListsAtTheirLimits_AreServed()
    {
        using var harness = new EndpointHarness(fixture.Store);
        var categories = string.Join(",", Enumerable.Repeat("\"left\"", RequestRules.MaxCategories));
        var excluded = string.Join(",", Enumerable.Range(0, RequestRules.MaxExcludeItemIds).Select(i => $"\"x{i}\""));

        var response = await harness.SendAsync("Recommendations", $$$"""{"userId":"u1","k":3,"filter":{"categories":[{{{categories}}}],"excludeItemIds":[{{{excluded}}}]}}""");

        Assert.True(response.Status == 200, $"{response.Status}: {response.Body}");
    }

    [Fact]
    public async Task PostEvents_UnixSecondsTimestamp_IsStoredAsThatInstant()
    {
        using var harness = new EndpointHarness(fixture.Store);
        var user = "unix-" + Guid.NewGuid().ToString("N");

        var response = await harness.SendAsync("PostEvents", $$"""{"events":[{"userId":"{{user}}","itemId":"i3","type":"click","timestamp":1767225600}]}""");

        Assert.True(response.Status == 202, $"{response.Status}: {response.Body}");
        var stored = Assert.Single((await new UserHistoryStore(fixture.Store).ReadAsync(user)).Events);
        Assert.Equal(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero), stored.Timestamp);
    }

    [Fact]
    public async Task PostEvents_DuplicateEvents_AreAcceptedAndKeptOnceInTheHistory()
    {
        using var harness = new EndpointHarness(fixture.Store);
        var user = "dup-" + Guid.NewGuid().ToString("N");
        var one = $$"""{"userId":"{{user}}","itemId":"i3","type":"click","timestamp":"2026-01-02T03:04:05Z"}""";

        var first = await harness.SendAsync("PostEvents", $$"""{"events":[{{one}},{{one}}]}""");
        var again = await harness.SendAsync("PostEvents", $$"""{"events":[{{one}}]}""");

        Assert.Equal(202, first.Status);
        Assert.Equal(202, again.Status);
        var history = await new UserHistoryStore(fixture.Store).ReadAsync(user);
        Assert.Equal("i3", Assert.Single(history.Events).ItemId);
    }

    [Fact]
    public async Task PostEvents_RejectedPost_WritesNothing()
    {
        using var harness = new EndpointHarness(fixture.Store);
        var user = "rejected-" + Guid.NewGuid().ToString("N");

        var response = await harness.SendAsync("PostEvents", Events(2, i => i == 1 ? LongId : "i1").Replace("bad-input", user, StringComparison.Ordinal));

        Assert.Equal(400, response.Status);
        Assert.Empty((await new UserHistoryStore(fixture.Store).ReadAsync(user)).Events);
    }

    /// <summary>No stack frame, exception type or framework namespace leaves the server.</summary>
    internal static void AssertNoInternals(string body)
    {
        Assert.DoesNotContain("   at ", body, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", body, StringComparison.Ordinal);
        Assert.DoesNotContain("System.", body, StringComparison.Ordinal);
        Assert.DoesNotContain("ServerlessRec.", body, StringComparison.Ordinal);
    }
}
