using System.Text.Json.Serialization;

namespace ServerlessRec.Client;

/// <summary>The answer of <c>GET /api/users/{userId}/export</c>: everything the serving side stores about a user.</summary>
public sealed record UserDataExport
{
    /// <summary>Gets the user id.</summary>
    [JsonPropertyName("userId")]
    public required string UserId { get; init; }

    /// <summary>Gets when the user was last forgotten, or <see langword="null"/> when never.</summary>
    [JsonPropertyName("forgottenAt")]
    public DateTimeOffset? ForgottenAt { get; init; }

    /// <summary>Gets the stored history, oldest first.</summary>
    [JsonPropertyName("events")]
    public required IReadOnlyList<HistoryEvent> Events { get; init; }

    /// <summary>Gets the blobs (<c>container/name</c>) that hold data about the user.</summary>
    [JsonPropertyName("blobs")]
    public required IReadOnlyList<string> Blobs { get; init; }
}
