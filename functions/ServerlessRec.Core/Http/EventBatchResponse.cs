using System.Text.Json.Serialization;

namespace ServerlessRec.Http;

/// <summary>The 202 answer of <c>POST /api/events</c>.</summary>
public sealed record EventBatchResponse
{
    /// <summary>Gets how many events were logged and added to histories.</summary>
    [JsonPropertyName("accepted")]
    public required int Accepted { get; init; }

    /// <summary>Gets how many users' histories were updated.</summary>
    [JsonPropertyName("users")]
    public required int Users { get; init; }
}
