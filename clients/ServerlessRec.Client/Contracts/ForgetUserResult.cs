using System.Text.Json.Serialization;

namespace ServerlessRec.Client;

/// <summary>The answer of <c>DELETE /api/users/{userId}</c>.</summary>
public sealed record ForgetUserResult
{
    /// <summary>Gets the user id.</summary>
    [JsonPropertyName("userId")]
    public required string UserId { get; init; }

    /// <summary>Gets whether a stored history existed and was deleted.</summary>
    [JsonPropertyName("historyDeleted")]
    public bool HistoryDeleted { get; init; }
}
