using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Azure.Core.Serialization;

namespace ServerlessRec.Azure.Search;

/// <summary>
/// The one JSON configuration documents are written with, and the bound on a document's size that batches
/// are packed by (serializing every document twice just to measure it would double the upload's CPU cost).
/// </summary>
internal static class ItemDocumentJson
{
    // The longest shortest-round-trip float, "-1.17549435E-38", plus its comma.
    private const int MaxFloatBytes = 16;

    // Property names, quotes, brackets, the boolean and the longest Int64.
    private const int FieldsBytes = 128;

    public static JsonSerializerOptions Options { get; } = CreateOptions();

    public static ObjectSerializer Serializer { get; } = new JsonObjectSerializer(Options);

    /// <summary>
    /// Returns an upper bound of the document's serialized size: strings are measured exactly as the
    /// default encoder escapes them, every vector value counts as the longest float.
    /// </summary>
    public static long MaxBytes(ItemDocument document)
    {
        var bytes = FieldsBytes + StringBytes(document.Id) + StringBytes(document.ItemId) + ((long)document.Embedding.Length * MaxFloatBytes);
        foreach (var category in document.Categories)
        {
            bytes += StringBytes(category) + 1;
        }

        return bytes;
    }

    public static int MeasureBytes(ItemDocument document) => JsonSerializer.SerializeToUtf8Bytes(document, Options).Length;

    private static int StringBytes(string value) => JsonEncodedText.Encode(value).EncodedUtf8Bytes.Length + 2;

    private static JsonSerializerOptions CreateOptions()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.General) { TypeInfoResolver = new DefaultJsonTypeInfoResolver() };
        options.MakeReadOnly();
        return options;
    }
}
