using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.StaticFiles;
using Microsoft.Extensions.FileProviders;
using ServerlessRec.Catalog;
using ServerlessRec.Events;
using ServerlessRec.Storage;

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
