using System.Text.Json.Serialization;

namespace ServerlessRec.Client;

/// <summary>The 202 answer of <c>POST /api/events</c>.</summary>
public sealed record EventBatchResult
{
    /// <summary>Gets how many events were logged and added to histories.</summary>
    [JsonPropertyName("accepted")]
    public int Accepted { get; init; }

    /// <summary>Gets how many users' histories were updated.</summary>
    [JsonPropertyName("users")]
    public int Users { get; init; }

    /// <summary>Gets the <c>Idempotency-Key</c> the post was sent with (given or generated): reuse it to repeat this very post later.</summary>
    [JsonIgnore]
    public string IdempotencyKey { get; init; } = string.Empty;

    /// <summary>Gets whether the server had already completed a post with this key and stored nothing again (<c>Idempotent-Replayed: true</c>).</summary>
    [JsonIgnore]
    public bool Replayed { get; init; }
}
