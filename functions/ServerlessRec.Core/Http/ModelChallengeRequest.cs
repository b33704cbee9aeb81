using System.Text.Json.Serialization;

namespace ServerlessRec.Http;

/// <summary>The body of <c>POST /api/models/{version}/challenge</c>.</summary>
public sealed record ModelChallengeRequest
{
    /// <summary>Gets the share of users the challenger is served to: above 0, at most 0.5. Required.</summary>
    [JsonPropertyName("share")]
    public double? Share { get; init; }

    /// <summary>Gets why the challenger is started (recorded in <c>models/challenger.json</c>).</summary>
    [JsonPropertyName("reason")]
    public string? Reason { get; init; }

    /// <summary>Gets who asks (recorded likewise).</summary>
    [JsonPropertyName("requestedBy")]
    public string? RequestedBy { get; init; }
}
