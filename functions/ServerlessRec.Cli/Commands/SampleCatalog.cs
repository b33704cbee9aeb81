using System.Text.Json.Serialization;

namespace ServerlessRec.Cli.Commands;

/// <summary>The answer of <c>GET /sample/catalog</c>.</summary>
internal sealed record SampleCatalog
{
    [JsonPropertyName("items")]
    public required IReadOnlyList<SampleCatalogItem> Items { get; init; }

    /// <summary>Gets whether the catalog holds more than <see cref="SampleStorefront.MaxCatalogItems"/> available items (the rest show by id).</summary>
    [JsonPropertyName("truncated")]
    public required bool Truncated { get; init; }
}
