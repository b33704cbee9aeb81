using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Json.Schema;
using ServerlessRec.Http;
using ServerlessRec.Onnx;
using ServerlessRec.Pipeline;
using ServerlessRec.Storage;

namespace ServerlessRec.Cli.Tests.Serve;

/// <summary>
/// The OpenAPI document of the real <c>serve</c> host (<c>GET /api/openapi.json</c>) against the route table and the
/// answers the host really gives: every route is called with valid and invalid requests, and each answer's status, media
/// type and JSON body must be what the document says for that operation. A second host over an empty store (no model)
/// gives the 503s and the status without a live model.
/// </summary>
public sealed class OpenApiDocumentTests(ServeFixture serve) : IClassFixture<ServeFixture>
{
    // Routes no request can make fail: they take no input, and the host with a model answers them.
    private static readonly HashSet<string> s_noProblemCase = new(StringComparer.Ordinal) { "OpenApi", "StopChallenger" };

    [Fact]
    public async Task OpenApi_Serve_EqualsTheRenderedDocumentOfTheFunctionsApp()
    {
        var served = await serve.Client.GetStringAsync("api/openapi.json");

        // RenderAsync is what the Functions app answers (OpenApiFunction; FunctionsOpenApiTests checks that side).
        Assert.Equal(await ApiDocument.RenderAsync(), served);
    }

    [Fact]
    public async Task OpenApi_Document_HasExactlyOneOperationPerRoute()
    {
        using var document = JsonDocument.Parse(await serve.Client.GetStringAsync("api/openapi.json"));
        var operations = document.RootElement.GetProperty("paths").EnumerateObject()
            .SelectMany(path => path.Value.EnumerateObject().Select(op => (Path: path.Name, Method: op.Name.ToUpperInvariant(), Id: op.Value.GetProperty("operationId").GetString())))
            .Order()
            .ToList();

        // The unknown-route entry (any method, any other path) is the Functions app's 404 for what no route matches.
        var expected = RouteTable.Routes.Where(r => r.Method != RouteTable.AnyMethod)
            .Select(r => (Path: $"/{RouteTable.Prefix}/{r.Template}", r.Method, Id: (string?)r.Name))
            .Order()
            .ToList();
        Assert.Equal(expected, operations);
        Assert.Equal("3.1.1", document.RootElement.GetProperty("openapi").GetString());
    }

    [Theory]
    [InlineData("RecommendationResponse", new[] { "modelVersion", "source", "items" })]
    [InlineData("RecommendedItem", new[] { "itemId", "score" })]
    [InlineData("EventBatchResponse", new[] { "accepted", "users" })]
    [InlineData("UserVectorResponse", new[] { "modelVersion", "userId", "historyLength", "vector" })]
    [InlineData("UserDataExport", new[] { "userId", "events", "blobs" })]
    [InlineData("CatalogUpdateResponse", new[] { "accepted", "update", "indexed" })]
    [InlineData("RetrainStatusResponse", new[] { "instanceId", "status", "createdAt", "lastUpdatedAt" })]
    [InlineData("ModelStatus", new[] { "versions", "runs" })]
    [InlineData("HealthResponse", new[] { "status", "modelVersion" })]
    [InlineData("ApiProblem", new[] { "type", "title", "status", "detail" })]
    public async Task OpenApi_ResponseSchema_RequiresWhatIsAlwaysWritten(string schema, string[] required)
    {
        var document = JsonNode.Parse(await serve.Client.GetStringAsync("api/openapi.json"))!;
        var node = document["components"]!["schemas"]![schema]!;

        // Every property always written is required; the ones written only sometimes are not.
        Assert.Equal(required.Order(StringComparer.Ordinal), node["required"]!.AsArray().Select(r => r!.GetValue<string>()).Order(StringComparer.Ordinal));
        Assert.True(node["properties"]!.AsObject().Count >= required.Length);
        Assert.Equal("object", node["type"]!.GetValue<string>());
    }

    [Fact]
    public async Task OpenApi_SchemaOfAnOptionalField_AllowsNullAndAbsence()
    {
        var document = JsonNode.Parse(await serve.Client.GetStringAsync("api/openapi.json"))!;
        var status = document["components"]!["schemas"]!["RetrainStatusResponse"]!;

        Assert.DoesNotContain("outcome", status["required"]!.AsArray().Select(r => r!.GetValue<string>()));
        Assert.Equal(["null", "string"], status["properties"]!["outcome"]!["type"]!.AsArray().Select(t => t!.GetValue<string>()).Order(StringComparer.Ordinal));
        // An unknown value of the enum must fail validation: the schema is not a catch-all.
        var source = Compile(document, JsonNode.Parse("""{"$ref":"#/components/schemas/RecommendationSource"}""")!);
        Assert.True(source.Evaluate(JsonDocument.Parse("\"popular\"").RootElement).IsValid);
        Assert.False(source.Evaluate(JsonDocument.Parse("\"trending\"").RootElement).IsValid);
    }

    [Fact]
    public async Task Routes_ValidAndInvalidRequests_AnswerWhatTheDocumentSays()
    {
        var document = JsonNode.Parse(await serve.Client.GetStringAsync("api/openapi.json"))!;
        var emptyRoot = Path.Combine(Path.GetTempPath(), "srec-openapi-empty-" + Guid.NewGuid().ToString("N"));
        var (emptyApp, empty) = await ServeFixture.StartAsync(emptyRoot);
        var failures = new List<string>();
        var seen = new Dictionary<string, HashSet<int>>(StringComparer.Ordinal);
        await CopyVersionAsync(serve.Store, "v1", "v0");
        try
        {
            foreach (var call in Calls(serve.Client, empty))
            {
                using var response = await call.Client.SendAsync(call.Request());
                var body = await response.Content.ReadAsStringAsync();
                var status = (int)response.StatusCode;
                var what = $"{call.Route} {call.Name}: {status}";
                if (status != call.Expected)
                {
                    failures.Add($"{what}, expected {call.Expected}: {body}");
                }

                (seen.TryGetValue(call.Route, out var statuses) ? statuses : seen[call.Route] = []).Add(status);
                failures.AddRange(Check(document, RouteTable.Routes.Single(r => r.Name == call.Route), status, response.Content.Headers.ContentType?.MediaType, body).Select(f => $"{what}: {f}"));
            }

            // The started retraining runs to its end (its finished status is checked too) before the host stops.
            var deadline = DateTime.UtcNow.AddSeconds(60);
            var route = RouteTable.Routes.Single(r => r.Name == "RetrainStatus");
            while (true)
            {
                using var response = await serve.Client.GetAsync("api/retrain/" + RetrainScheduler.InstanceId);
                var body = await response.Content.ReadAsStringAsync();
                failures.AddRange(Check(document, route, (int)response.StatusCode, response.Content.Headers.ContentType?.MediaType, body).Select(f => $"RetrainStatus polled: {f}"));
                var state = JsonNode.Parse(body)?["status"]?.GetValue<string>();
                if (state is not ("pending" or "running") || DateTime.UtcNow > deadline)
                {
                    Assert.True(state is "completed" or "failed", $"retraining {state} after 60 s: {body}");
                    break;
                }

                await Task.Delay(200);
            }

            // Every route with a success and a problem answer, so no route's document goes unchecked.
            foreach (var documented in RouteTable.Routes.Where(r => r.Method != RouteTable.AnyMethod))
            {
                var statuses = seen.GetValueOrDefault(documented.Name) ?? [];
                if (!statuses.Any(s => s < 400))
                {
                    failures.Add($"{documented.Name}: no successful call; add one to {nameof(Calls)}");
                }

                if (!statuses.Any(s => s >= 400) && !s_noProblemCase.Contains(documented.Name))
                {
                    failures.Add($"{documented.Name}: no failing call; add one to {nameof(Calls)}");
                }
            }
        }
        finally
        {
            empty.Dispose();
            await emptyApp.StopAsync();
            await emptyApp.DisposeAsync();
            Directory.Delete(emptyRoot, recursive: true);
        }

        Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures));
    }

    [Fact]
    public async Task Check_UndocumentedStatusOrWrongBody_IsReported()
    {
        // The checker itself must be able to fail: an undocumented status, a wrong media type, a body missing a required field.
        var document = JsonNode.Parse(await ApiDocument.RenderAsync())!;
        var health = RouteTable.Routes.Single(r => r.Name == "Health");

        Assert.Empty(Check(document, health, 200, "application/json", """{"status":"ok","modelVersion":"v1"}"""));
        Assert.Contains(Check(document, health, 404, "application/problem+json", """{"type":"t","title":"t","status":404,"detail":"d"}"""), f => f.Contains("not documented", StringComparison.Ordinal));
        Assert.Contains(Check(document, health, 200, "text/plain", "ok"), f => f.Contains("media type", StringComparison.Ordinal));
        Assert.Contains(Check(document, health, 200, "application/json", """{"status":"ok"}"""), f => f.Contains("modelVersion", StringComparison.Ordinal));
        Assert.NotEmpty(Check(document, health, 503, "application/problem+json", """{"type":"t","title":"t","status":"503","detail":"d"}"""));
    }

    /// <summary>Checks one answer against the document: its status is documented for the operation, its media type too, and its body fits the schema.</summary>
    private static List<string> Check(JsonNode document, ApiRoute route, int status, string? mediaType, string body)
    {
        var operation = document["paths"]?[$"/{RouteTable.Prefix}/{route.Template}"]?[route.Method.ToLowerInvariant()];
        if (operation is null)
        {
            return [$"no operation {route.Method} /{RouteTable.Prefix}/{route.Template} in the document"];
        }

        var response = operation["responses"]?[status.ToString(System.Globalization.CultureInfo.InvariantCulture)];
        if (response is null)
        {
            return [$"status {status} is not documented for {route.Name}"];
        }

        var content = response["content"]?.AsObject();
        if (content is null)
        {
            // Only the document itself has no schema: it must at least be an OpenAPI document.
            return route.Name == "OpenApi" && mediaType == ApiDocument.JsonContentType && JsonNode.Parse(body)?["openapi"] is not null
                ? []
                : [$"no content documented for {status}, answered {mediaType}"];
        }

        if (mediaType is null || !content.ContainsKey(mediaType))
        {
            return [$"media type {mediaType} is not documented (documented: {string.Join(", ", content.Select(c => c.Key))})"];
        }

        var results = Compile(document, content[mediaType]!["schema"]!).Evaluate(JsonDocument.Parse(body).RootElement, new EvaluationOptions { OutputFormat = OutputFormat.List });
        return results.IsValid
            ? []
            : [.. (results.Details ?? []).Where(d => d.Errors is { Count: > 0 }).SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation}: {e.Value}")).DefaultIfEmpty("invalid").Select(e => $"{e} in {body}")];
    }

    /// <summary>A response schema of the document as a JSON Schema 2020-12 with the document's components as <c>$defs</c>.</summary>
    private static JsonSchema Compile(JsonNode document, JsonNode schema)
    {
        var wrapper = new JsonObject
        {
            ["$schema"] = "https://json-schema.org/draft/2020-12/schema",
            ["$defs"] = document["components"]!["schemas"]!.DeepClone(),
            ["allOf"] = new JsonArray(schema.DeepClone()),
        };
        var text = wrapper.ToJsonString().Replace("#/components/schemas/", "#/$defs/", StringComparison.Ordinal);
        return JsonSchema.FromText(text, baseUri: new Uri($"https://serverlessrec.test/openapi/{Guid.NewGuid():N}"));
    }

    /// <summary>The calls, in order (later ones rely on earlier ones: the item put is deleted, the retraining started is polled).</summary>
    private static IEnumerable<Call> Calls(HttpClient model, HttpClient empty)
    {
        var longId = new string('x', 200);
        yield return new("Health", "model live", model, Get("api/health"), 200);
        yield return new("Health", "no model", empty, Get("api/health"), 503);
        yield return new("OpenApi", "document", model, Get("api/openapi.json"), 200);
        yield return new("Recommendations", "valid", model, Json(HttpMethod.Post, "api/recommendations", """{"userId":"u1","k":5,"explain":true}"""), 200);
        yield return new("Recommendations", "wrong type", model, Json(HttpMethod.Post, "api/recommendations", """{"userId":5}"""), 400);
        yield return new("Recommendations", "not JSON", model, () => new HttpRequestMessage(HttpMethod.Post, "api/recommendations") { Content = new StringContent("u1", Encoding.UTF8, "text/plain") }, 415);
        yield return new("Recommendations", "no model", empty, Json(HttpMethod.Post, "api/recommendations", """{"userId":"u1"}"""), 503);
        yield return new("PostEvents", "valid", model, Json(HttpMethod.Post, "api/events", """{"events":[{"userId":"u1","itemId":"i3","type":"view"}]}"""), 202);
        yield return new("PostEvents", "no events", model, Json(HttpMethod.Post, "api/events", """{"events":[]}"""), 400);
        yield return new("PostEvents", "with key", model, Json(HttpMethod.Post, "api/events", """{"events":[{"userId":"u2","itemId":"i4","type":"view"}]}""", ("Idempotency-Key", "openapi-1")), 202);
        yield return new("PostEvents", "key reused for other events", model, Json(HttpMethod.Post, "api/events", """{"events":[{"userId":"u2","itemId":"i5","type":"view"}]}""", ("Idempotency-Key", "openapi-1")), 422);
        yield return new("SimilarItems", "valid", model, Get("api/items/i1/similar?k=3"), 200);
        yield return new("SimilarItems", "unknown item", model, Get("api/items/nope/similar"), 404);
        yield return new("SimilarItems", "k not a number", model, Get("api/items/i1/similar?k=many"), 400);
        yield return new("SimilarItems", "no model", empty, Get("api/items/i1/similar"), 503);
        yield return new("SimilarItemsByQuery", "valid", model, Get("api/items/similar?itemId=i1&includeUnavailable=true"), 200);
        yield return new("SimilarItemsByQuery", "no itemId", model, Get("api/items/similar"), 400);
        yield return new("PutItems", "valid", model, Json(HttpMethod.Put, "api/items", """{"items":[{"itemId":"openapi-new","title":"New","categories":["left"]}]}"""), 200);
        yield return new("PutItems", "no items", model, Json(HttpMethod.Put, "api/items", """{"items":[]}"""), 400);
        yield return new("DeleteItem", "valid", model, Send(HttpMethod.Delete, "api/items/openapi-new"), 200);
        yield return new("DeleteItem", "id too long", model, Send(HttpMethod.Delete, "api/items/" + longId), 400);
        yield return new("DeleteItemByQuery", "valid", model, Send(HttpMethod.Delete, "api/items?itemId=i39"), 200);
        yield return new("DeleteItemByQuery", "no itemId", model, Send(HttpMethod.Delete, "api/items"), 400);
        yield return new("UserVector", "valid", model, Get("api/users/u2/vector"), 200);
        yield return new("UserVector", "no history", model, Get("api/users/nobody/vector"), 404);
        yield return new("UserVector", "no model", empty, Get("api/users/u2/vector"), 503);
        yield return new("UserVectorByQuery", "valid", model, Get("api/users/vector?userId=u2"), 200);
        yield return new("UserVectorByQuery", "no userId", model, Get("api/users/vector"), 400);
        yield return new("ExportUser", "valid", model, Get("api/users/u1/export"), 200);
        yield return new("ExportUser", "id too long", model, Get("api/users/" + longId + "/export"), 400);
        yield return new("ExportUserByQuery", "valid", model, Get("api/users/export?userId=u1"), 200);
        yield return new("ExportUserByQuery", "no userId", model, Get("api/users/export"), 400);
        yield return new("ForgetUser", "valid", model, Send(HttpMethod.Delete, "api/users/u5"), 200);
        yield return new("ForgetUser", "id too long", model, Send(HttpMethod.Delete, "api/users/" + longId), 400);
        yield return new("ForgetUserByQuery", "valid", model, Send(HttpMethod.Delete, "api/users?userId=u6"), 200);
        yield return new("ForgetUserByQuery", "no userId", model, Send(HttpMethod.Delete, "api/users"), 400);
        yield return new("ActivateModel", "already live", model, Json(HttpMethod.Post, "api/models/v1/activate", """{"reason":"openapi test"}"""), 200);
        yield return new("ActivateModel", "unknown version", model, Json(HttpMethod.Post, "api/models/v9/activate", "{}"), 404);
        yield return new("ActivateModel", "unknown property", model, Json(HttpMethod.Post, "api/models/v1/activate", """{"why":"x"}"""), 400);
        yield return new("ChallengeModel", "kept version", model, Json(HttpMethod.Post, "api/models/v0/challenge", """{"share":0.1,"reason":"openapi test"}"""), 200);
        yield return new("ChallengeModel", "live version", model, Json(HttpMethod.Post, "api/models/v1/challenge", """{"share":0.1}"""), 400);
        yield return new("ChallengeModel", "no share", model, Json(HttpMethod.Post, "api/models/v0/challenge", "{}"), 400);
        yield return new("ChallengeModel", "unknown version", model, Json(HttpMethod.Post, "api/models/v9/challenge", """{"share":0.1}"""), 404);
        yield return new("Status", "valid", model, Get("api/status?runs=5"), 200);
        yield return new("Status", "no model ever", empty, Get("api/status"), 200);
        yield return new("Status", "runs not a number", model, Get("api/status?runs=all"), 400);
        yield return new("StopChallenger", "running", model, Send(HttpMethod.Delete, "api/models/challenger"), 200);
        yield return new("StopChallenger", "none running", model, Send(HttpMethod.Delete, "api/models/challenger"), 200);
        yield return new("PromoteChallenger", "none running", model, Json(HttpMethod.Post, "api/models/challenger/promote", "{}"), 404);
        yield return new("ChallengeModel", "again, to promote it", model, Json(HttpMethod.Post, "api/models/v0/challenge", """{"share":0.1}"""), 200);
        yield return new("PromoteChallenger", "unknown property", model, Json(HttpMethod.Post, "api/models/challenger/promote", """{"why":"x"}"""), 400);
        yield return new("PromoteChallenger", "running", model, Json(HttpMethod.Post, "api/models/challenger/promote", """{"reason":"openapi test"}"""), 200);
        yield return new("ActivateModel", "back to v1 after the promotion", model, Json(HttpMethod.Post, "api/models/v1/activate", "{}"), 200);
        yield return new("StartRetrain", "unknown property", model, Json(HttpMethod.Post, "api/retrain", """{"now":true}"""), 400);
        yield return new("StartRetrain", "valid", model, Json(HttpMethod.Post, "api/retrain", "{}"), 202);
        yield return new("RetrainStatus", "started run", model, Get("api/retrain/" + RetrainScheduler.InstanceId), 200);
        yield return new("RetrainStatus", "unknown run", model, Get("api/retrain/nope"), 404);
        yield return new("RetrainStatus", "never started here", empty, Get("api/retrain/" + RetrainScheduler.InstanceId), 404);
    }

    // A second kept version for the challenger routes: v1's files under another name, its manifest renamed to match.
    private static async Task CopyVersionAsync(LocalFolderBlobStore store, string from, string to)
    {
        var names = new List<string>();
        await foreach (var blob in store.ListAsync(ContainerNames.Models, from + "/"))
        {
            names.Add(blob.Name);
        }

        foreach (var name in names)
        {
            var content = (await store.ReadAsync(ContainerNames.Models, name))!.Content;
            var file = name[(from.Length + 1)..];
            if (file == ModelManifest.FileName)
            {
                var manifest = JsonNode.Parse(content.Span)!;
                manifest["version"] = to;
                content = Encoding.UTF8.GetBytes(manifest.ToJsonString());
            }

            await store.WriteAsync(ContainerNames.Models, to + "/" + file, content);
        }
    }

    private static Func<HttpRequestMessage> Get(string path) => Send(HttpMethod.Get, path);

    private static Func<HttpRequestMessage> Send(HttpMethod method, string path) => () => new HttpRequestMessage(method, path);

    private static Func<HttpRequestMessage> Json(HttpMethod method, string path, string json, (string Name, string Value)? header = null) => () =>
    {
        var request = new HttpRequestMessage(method, path) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        if (header is { } h)
        {
            request.Headers.Add(h.Name, h.Value);
        }

        return request;
    };

    private sealed record Call(string Route, string Name, HttpClient Client, Func<HttpRequestMessage> Request, int Expected);
}
