namespace ServerlessRec.Serving;

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
