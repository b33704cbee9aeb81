using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Azure.Core.Serialization;

namespace ServerlessRec.Azure.Search;

/// <summary>
/// The one JSON configuration documents are written with: the clients serialize with it, and the publisher
/// measures batch sizes with it, so a measured size is the size sent.
/// </summary>
internal static class ItemDocumentJson
{
    public static JsonSerializerOptions Options { get; } = CreateOptions();

    public static ObjectSerializer Serializer { get; } = new JsonObjectSerializer(Options);

    public static int MeasureBytes(ItemDocument document) => JsonSerializer.SerializeToUtf8Bytes(document, Options).Length;

    private static JsonSerializerOptions CreateOptions()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.General) { TypeInfoResolver = new DefaultJsonTypeInfoResolver() };
        options.MakeReadOnly();
        return options;
    }
}
