using System.Text.Json.Serialization;

namespace ServerlessRec.Http;

/// <summary>The answer of <c>DELETE /api/users/{userId}</c>.</summary>
public sealed record ForgetUserResponse
{
    /// <summary>Gets the <c>userId</c> whose data was forgotten.</summary>
    [JsonPropertyName("userId")]
    public required string UserId { get; init; }

    /// <summary>Gets whether a stored history existed and was deleted.</summary>
    [JsonPropertyName("historyDeleted")]
    public required bool HistoryDeleted { get; init; }
}
