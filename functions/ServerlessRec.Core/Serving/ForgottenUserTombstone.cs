using System.Text.Json.Serialization;

namespace ServerlessRec.Serving;

/// <summary>A forget request kept for retraining: which user (by keyed hash only) and when.</summary>
public sealed record ForgottenUserTombstone
{
    /// <summary>Gets the lower-case hex HMAC-SHA256 of the user id (<see cref="UserIdHasher.Hash"/>); null in a legacy tombstone.</summary>
    [JsonPropertyName("userIdHmac")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? UserIdHmac { get; init; }

    /// <summary>Gets the unkeyed SHA-256 of the user id, as tombstones written before the keyed hash held it; null in new ones.</summary>
    [JsonPropertyName("userIdSha256")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? UserIdSha256 { get; init; }

    /// <summary>Gets when the user asked to be forgotten: events up to this time are excluded from training and never stored again.</summary>
    [JsonPropertyName("forgottenAt")]
    public required DateTimeOffset ForgottenAt { get; init; }
}
