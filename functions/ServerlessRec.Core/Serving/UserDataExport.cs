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

/// <summary>Collects a <see cref="UserDataExport"/> from the history store and the tombstones.</summary>
public sealed class UserDataExporter
{
    private readonly UserHistoryStore _histories;
    private readonly ForgottenUsers _forgotten;

    /// <summary>Creates the exporter.</summary>
    public UserDataExporter(UserHistoryStore histories, ForgottenUsers forgotten)
    {
        ArgumentNullException.ThrowIfNull(histories);
        ArgumentNullException.ThrowIfNull(forgotten);
        _histories = histories;
        _forgotten = forgotten;
    }

    /// <summary>Exports what is stored about a user; a user never seen gets an empty export (no events, no blobs).</summary>
    public async Task<UserDataExport> ExportAsync(string userId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(userId);
        var history = await _histories.ReadAsync(userId, cancellationToken).ConfigureAwait(false);
        var tombstone = await _forgotten.ReadAsync(userId, cancellationToken).ConfigureAwait(false);
        var historyBlobs = await _histories.ExistingBlobPathsAsync(userId, cancellationToken).ConfigureAwait(false);
        var tombstoneBlobs = await _forgotten.ExistingTombstonePathsAsync(userId, cancellationToken).ConfigureAwait(false);
        return new UserDataExport
        {
            UserId = userId,
            ForgottenAt = ForgottenUsers.Later(tombstone?.ForgottenAt, history.ForgottenAt),
            Events = history.Events,
            Blobs = [.. historyBlobs, .. tombstoneBlobs],
        };
    }
}
