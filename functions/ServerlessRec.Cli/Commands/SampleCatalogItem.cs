using System.Text.Json.Serialization;

namespace ServerlessRec.Cli.Commands;

/// <summary>One item of <see cref="SampleCatalog"/>.</summary>
internal sealed record SampleCatalogItem
{
    [JsonPropertyName("itemId")]
    public required string ItemId { get; init; }

    [JsonPropertyName("title")]
    public string? Title { get; init; }

    [JsonPropertyName("categories")]
    public required IReadOnlyList<string> Categories { get; init; }
}
