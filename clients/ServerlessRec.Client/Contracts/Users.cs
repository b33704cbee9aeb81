using System.Text.Json.Serialization;

namespace ServerlessRec.Client;

/// <summary>The answer of <c>GET /api/users/{userId}/vector</c>.</summary>
public sealed record UserVector
{
    /// <summary>Gets the model version that computed the vector.</summary>
    [JsonPropertyName("modelVersion")]
    public required string ModelVersion { get; init; }

    /// <summary>Gets the user id.</summary>
    [JsonPropertyName("userId")]
    public required string UserId { get; init; }

    /// <summary>Gets how many history events the vector was computed from.</summary>
    [JsonPropertyName("historyLength")]
    public int HistoryLength { get; init; }

    /// <summary>Gets the vector (L2-normalised).</summary>
    [JsonPropertyName("vector")]
    public required IReadOnlyList<float> Vector { get; init; }
}

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

/// <summary>One event of a stored history.</summary>
public sealed record HistoryEvent
{
    /// <summary>Gets the item.</summary>
    [JsonPropertyName("itemId")]
    public required string ItemId { get; init; }

    /// <summary>Gets the event type.</summary>
    [JsonPropertyName("type")]
    public required string Type { get; init; }

    /// <summary>Gets when it happened (whole UTC seconds).</summary>
    [JsonPropertyName("timestamp")]
    public DateTimeOffset Timestamp { get; init; }

    /// <summary>Gets the value, if any.</summary>
    [JsonPropertyName("value")]
    public double? Value { get; init; }
}

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
