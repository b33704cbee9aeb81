using System.Text.Json.Serialization;

namespace ServerlessRec.Serving;

/// <summary>
/// Everything the serving side stores about one user (the right of access): the history and whether and when the user
/// was forgotten, with the blobs that hold them. Raw events in the <c>events</c> logs and rejected lines in
/// <c>quarantine</c> are not scanned (see the README's "Privacy" section).
/// </summary>
public sealed record UserDataExport
{
    /// <summary>Gets the user id.</summary>
    [JsonPropertyName("userId")]
    public required string UserId { get; init; }

    /// <summary>Gets when the user was last forgotten (tombstone or history marker), or null when never.</summary>
    [JsonPropertyName("forgottenAt")]
    public DateTimeOffset? ForgottenAt { get; init; }

    /// <summary>Gets the stored history events, oldest first (only events after <see cref="ForgottenAt"/>).</summary>
    [JsonPropertyName("events")]
    public required IReadOnlyList<HistoryEvent> Events { get; init; }

    /// <summary>Gets the blobs (<c>container/name</c>) that hold data about the user: history, legacy history, tombstones.</summary>
    [JsonPropertyName("blobs")]
    public required IReadOnlyList<string> Blobs { get; init; }
}
