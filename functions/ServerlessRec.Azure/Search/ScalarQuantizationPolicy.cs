using System.Text.Json.Nodes;
using Azure.Core;
using Azure.Core.Pipeline;

namespace ServerlessRec.Azure.Search;

/// <summary>
/// Adds int8 scalar quantization to the index definitions the client writes. Azure.Search.Documents 11.5.1
/// speaks REST 2023-11-01, which has no vector compression; compression is GA in REST 2024-07-01. So on
/// index-definition requests only (create, get, delete; never documents or queries) this policy moves the
/// api-version to 2024-07-01 and adds <c>vectorSearch.compressions</c> plus each profile's
/// <c>compression</c>. Remove it when the SDK models <c>ScalarQuantizationCompression</c> (11.6+).
/// </summary>
internal sealed class ScalarQuantizationPolicy : HttpPipelinePolicy
{
    public const string ApiVersion = "2024-07-01";
    public const string CompressionName = "embedding-int8";
    public const double DefaultOversampling = 4;

    public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        Rewrite(message);
        ProcessNext(message, pipeline);
    }

    public override ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        Rewrite(message);
        return ProcessNextAsync(message, pipeline);
    }

    internal static bool IsIndexDefinitionRequest(RequestUriBuilder uri)
    {
        var path = uri.Path;
        var at = path.LastIndexOf("/indexes", StringComparison.Ordinal);
        if (at < 0)
        {
            return false;
        }

        var rest = path.AsSpan(at + "/indexes".Length);
        return rest.IsEmpty || (rest[0] == '(' && rest[^1] == ')' && !rest.Contains('/'));
    }

    private static void Rewrite(HttpMessage message)
    {
        var request = message.Request;
        if (!IsIndexDefinitionRequest(request.Uri))
        {
            return;
        }

        request.Uri.Query = SetApiVersion(request.Uri.Query);
        if (request.Content is null || (request.Method != RequestMethod.Put && request.Method != RequestMethod.Post))
        {
            return;
        }

        // The SDK writes index definitions as in-memory JSON, so reading it back here does not block on I/O.
        using var buffer = new MemoryStream();
        request.Content.WriteTo(buffer, message.CancellationToken);
        if (JsonNode.Parse(buffer.ToArray()) is not JsonObject index || index["vectorSearch"] is not JsonObject vectorSearch)
        {
            return;
        }

        vectorSearch["compressions"] = new JsonArray(new JsonObject
        {
            ["name"] = CompressionName,
            ["kind"] = "scalarQuantization",
            ["rerankWithOriginalVectors"] = true,
            ["defaultOversampling"] = DefaultOversampling,
            ["scalarQuantizationParameters"] = new JsonObject { ["quantizedDataType"] = "int8" },
        });
        if (vectorSearch["profiles"] is JsonArray profiles)
        {
            foreach (var profile in profiles.OfType<JsonObject>())
            {
                profile["compression"] = CompressionName;
            }
        }

        request.Content = RequestContent.Create(BinaryData.FromString(index.ToJsonString()));
    }

    private static string SetApiVersion(string query)
    {
        var parts = query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries);
        for (var i = 0; i < parts.Length; i++)
        {
            if (parts[i].StartsWith("api-version=", StringComparison.Ordinal))
            {
                parts[i] = "api-version=" + ApiVersion;
            }
        }

        return "?" + string.Join('&', parts);
    }
}
