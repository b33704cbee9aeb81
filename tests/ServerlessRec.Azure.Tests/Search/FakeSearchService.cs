using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ServerlessRec.Azure.Tests.Search;

/// <summary>One request as the fake service received it.</summary>
internal sealed record RecordedRequest(string Method, string Path, string Query, IReadOnlyDictionary<string, string> Headers, string Body)
{
    private JsonObject? _json;

    public JsonObject Json => _json ??= JsonNode.Parse(Body)!.AsObject();
}

/// <summary>
/// Test-only stand-in for an Azure AI Search service on 127.0.0.1 (Kestrel, free port): keeps index
/// definitions and documents, answers index create/get/list/delete, docs/search.index (200, or 207 with
/// per-document statuses), docs/$count and docs/search.post.search (exact cosine scores, the service's
/// 1 / (2 − cos) score, filters read by <see cref="ODataFilterEvaluator"/>), records every request, and
/// fails requests or documents on demand.
/// </summary>
internal sealed partial class FakeSearchService : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, FakeIndex> _indexes = new(StringComparer.Ordinal);
    private readonly Queue<int> _indexRequestFailures = new();
    private readonly Dictionary<string, Queue<(int Status, string Message)>> _documentFailures = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<RecordedRequest> _requests = new();

    private FakeSearchService(WebApplication app, Uri endpoint)
    {
        _app = app;
        Endpoint = endpoint;
    }

    /// <summary>Gets the endpoint to configure: https, which <see cref="HttpsToHttpPolicy"/> turns into http.</summary>
    public Uri Endpoint { get; }

    public IReadOnlyList<RecordedRequest> Requests => [.. _requests];

    public static async Task<FakeSearchService> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        FakeSearchService? service = null;
        app.Run(context => service!.HandleAsync(context));
        await app.StartAsync();
        var address = new Uri(app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First());
        service = new FakeSearchService(app, new Uri($"https://127.0.0.1:{address.Port}"));
        return service;
    }

    public IEnumerable<RecordedRequest> RequestsTo(string pathSuffix) =>
        Requests.Where(r => r.Path.EndsWith(pathSuffix, StringComparison.Ordinal));

    /// <summary>Answers the next <paramref name="times"/> docs/search.index requests with <paramref name="status"/>.</summary>
    public void FailNextIndexRequests(int status, int times)
    {
        lock (_gate)
        {
            for (var i = 0; i < times; i++)
            {
                _indexRequestFailures.Enqueue(status);
            }
        }
    }

    /// <summary>Reports the document of <paramref name="itemId"/> as failed the next <paramref name="times"/> times it is sent.</summary>
    public void FailDocument(string itemId, int status, string message, int times = int.MaxValue / 2)
    {
        lock (_gate)
        {
            var queue = new Queue<(int, string)>();
            for (var i = 0; i < Math.Min(times, 1000); i++)
            {
                queue.Enqueue((status, message));
            }

            _documentFailures[itemId] = queue;
        }
    }

    public IReadOnlyCollection<string> IndexNames()
    {
        lock (_gate)
        {
            return [.. _indexes.Keys];
        }
    }

    public int DocumentCount(string indexName)
    {
        lock (_gate)
        {
            return _indexes[indexName].Documents.Count;
        }
    }

    /// <summary>The vector of the document of an item in an index, or null when the index has no such document.</summary>
    public double[]? DocumentVector(string indexName, string itemId)
    {
        lock (_gate)
        {
            return _indexes[indexName].Documents.Values.FirstOrDefault(d => d.Fields["itemId"]?.GetValue<string>() == itemId)?.Vector;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private static JsonObject Error(string code, string message) =>
        new() { ["error"] = new JsonObject { ["code"] = code, ["message"] = message } };

    [GeneratedRegex(@"^/indexes(?:\('(?<name>[^']+)'\))?(?<rest>/.*)?$")]
    private static partial Regex IndexPath();

    private async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        using var reader = new StreamReader(request.Body);
        var body = await reader.ReadToEndAsync();
        var headers = request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToString());
        var path = request.Path.Value ?? string.Empty;
        _requests.Enqueue(new RecordedRequest(request.Method, path, request.QueryString.Value ?? string.Empty, headers, body));

        var (status, json, text) = Route(request.Method, path, body);
        context.Response.StatusCode = status;
        if (json is not null)
        {
            context.Response.ContentType = "application/json; odata.metadata=minimal";
            await context.Response.WriteAsync(json.ToJsonString());
        }
        else if (text is not null)
        {
            context.Response.ContentType = "text/plain";
            await context.Response.WriteAsync(text);
        }
    }

    private (int Status, JsonObject? Json, string? Text) Route(string method, string path, string body)
    {
        var match = IndexPath().Match(path);
        if (!match.Success)
        {
            return (404, Error("NotFound", $"no route {path}"), null);
        }

        var name = match.Groups["name"].Success ? match.Groups["name"].Value : null;
        var rest = match.Groups["rest"].Value;
        lock (_gate)
        {
            return (method, name, rest) switch
            {
                ("GET", null, "") => (200, ListIndexes(), null),
                ("POST", null, "") => CreateIndex(JsonNode.Parse(body)!.AsObject(), allowReplace: false),
                ("PUT", not null, "") => CreateIndex(JsonNode.Parse(body)!.AsObject(), allowReplace: true),
                ("GET", not null, "") => _indexes.TryGetValue(name, out var index)
                    ? (200, (JsonObject)index.Definition.DeepClone(), null)
                    : (404, Error("ResourceNameNotFound", $"No index with the name '{name}' was found in the service."), null),
                ("DELETE", not null, "") => _indexes.Remove(name) ? (204, null, null) : (404, Error("ResourceNameNotFound", $"No index with the name '{name}' was found."), null),
                (_, not null, _) when !_indexes.ContainsKey(name) => (404, Error("ResourceNameNotFound", $"The index '{name}' was not found."), null),
                ("POST", not null, "/docs/search.index") => IndexDocuments(_indexes[name!], JsonNode.Parse(body)!.AsObject()),
                ("GET", not null, "/docs/$count") => (200, null, _indexes[name!].Documents.Count.ToString(System.Globalization.CultureInfo.InvariantCulture)),
                ("POST", not null, "/docs/search.post.search") => Search(_indexes[name!], JsonNode.Parse(body)!.AsObject()),
                _ => (404, Error("NotFound", $"no route {method} {path}"), null),
            };
        }
    }

    private JsonObject ListIndexes()
    {
        var names = new JsonArray();
        foreach (var name in _indexes.Keys.Order(StringComparer.Ordinal))
        {
            names.Add(new JsonObject { ["name"] = name });
        }

        return new JsonObject { ["value"] = names };
    }

    private (int, JsonObject?, string?) CreateIndex(JsonObject definition, bool allowReplace)
    {
        var name = definition["name"]!.GetValue<string>();
        if (!allowReplace && _indexes.ContainsKey(name))
        {
            return (409, Error("ResourceNameAlreadyInUse", $"Cannot create index '{name}' because it already exists."), null);
        }

        definition["@odata.etag"] = "\"0x1\"";
        _indexes[name] = new FakeIndex((JsonObject)definition.DeepClone());
        return (201, definition, null);
    }

    private (int, JsonObject?, string?) IndexDocuments(FakeIndex index, JsonObject batch)
    {
        if (_indexRequestFailures.TryDequeue(out var failure))
        {
            return (failure, Error(failure == 429 ? "TooManyRequests" : "ServiceUnavailable", "try again later"), null);
        }

        var results = new JsonArray();
        var anyFailed = false;
        foreach (var action in batch["value"]!.AsArray().OfType<JsonObject>())
        {
            var key = action["id"]!.GetValue<string>();
            var itemId = action["itemId"]!.GetValue<string>();
            if (_documentFailures.TryGetValue(itemId, out var failures) && failures.TryDequeue(out var documentFailure))
            {
                anyFailed = true;
                results.Add(new JsonObject { ["key"] = key, ["status"] = false, ["errorMessage"] = documentFailure.Message, ["statusCode"] = documentFailure.Status });
                continue;
            }

            action.Remove("@search.action");
            var vector = action["embedding"]!.AsArray().Select(v => v!.GetValue<double>()).ToArray();
            action.Remove("embedding");
            var created = !index.Documents.ContainsKey(key);
            index.Documents[key] = new FakeDocument(action, vector);
            results.Add(new JsonObject { ["key"] = key, ["status"] = true, ["errorMessage"] = null, ["statusCode"] = created ? 201 : 200 });
        }

        return (anyFailed ? 207 : 200, new JsonObject { ["value"] = results }, null);
    }

    private static (int, JsonObject?, string?) Search(FakeIndex index, JsonObject request)
    {
        var vectorQuery = request["vectorQueries"]![0]!.AsObject();
        var query = vectorQuery["vector"]!.AsArray().Select(v => v!.GetValue<double>()).ToArray();
        var k = vectorQuery["k"]!.GetValue<int>();
        var top = request["top"]?.GetValue<int>() ?? 50;
        var filter = ODataFilterEvaluator.Compile(request["filter"]?.GetValue<string>());
        var queryNorm = Math.Sqrt(query.Sum(v => v * v));
        var scored = new List<(string Key, string ItemId, double Score)>();
        foreach (var (key, (document, vector)) in index.Documents)
        {
            if (!filter(document))
            {
                continue;
            }

            var dot = query.Zip(vector, (a, b) => a * b).Sum();
            var cosine = dot / (queryNorm * Math.Sqrt(vector.Sum(v => v * v)));
            scored.Add((key, document["itemId"]!.GetValue<string>(), 1.0 / (1.0 + (1.0 - cosine))));
        }

        var hits = new JsonArray();
        foreach (var hit in scored.OrderByDescending(s => s.Score).ThenBy(s => s.Key, StringComparer.Ordinal).Take(Math.Min(k, top)))
        {
            hits.Add(new JsonObject { ["@search.score"] = hit.Score, ["id"] = hit.Key, ["itemId"] = hit.ItemId });
        }

        return (200, new JsonObject { ["value"] = hits }, null);
    }

    private sealed record FakeIndex(JsonObject Definition)
    {
        public Dictionary<string, FakeDocument> Documents { get; } = new(StringComparer.Ordinal);
    }

    private sealed record FakeDocument(JsonObject Fields, double[] Vector);
}
