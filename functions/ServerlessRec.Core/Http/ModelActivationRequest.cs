using System.Text.Json.Serialization;

namespace ServerlessRec.Http;

/// <summary>The body of <c>POST /api/models/{version}/activate</c>.</summary>
public sealed record ModelActivationRequest
{
    /// <summary>Gets why the version is made live (recorded in <c>models/current.json</c> and the run history).</summary>
    [JsonPropertyName("reason")]
    public string? Reason { get; init; }

    /// <summary>Gets who asks (recorded likewise; the caller is already authorised for the Operations group).</summary>
    [JsonPropertyName("requestedBy")]
    public string? RequestedBy { get; init; }
}
