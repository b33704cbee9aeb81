using ServerlessRec.Serving;
using ServerlessRec.Training;

namespace ServerlessRec.Pipeline;

/// <summary>
/// Brings the per-user history blobs up to date with the logs: events that arrived as bulk files never went
/// through <c>POST /api/events</c>, so without this their users would get popular items until they act again.
/// Idempotent: the history store keeps each (item, type, timestamp) once.
/// </summary>
public static class UserHistorySeeder
{
    /// <summary>
    /// Writes each user's most recent events (up to the store's capacity) into the history store; returns the users
    /// written. Any user that fails makes it throw (use <see cref="SeedUsersAsync"/> to quarantine and go on).
    /// </summary>
    /// <exception cref="InvalidDataException">Some users' histories could not be written.</exception>
    public static async Task<int> SeedAsync(InteractionDataset data, UserHistoryStore histories, int maxEventsPerUser = UserHistoryStore.DefaultCapacity, IProgress<int>? progress = null, CancellationToken cancellationToken = default)
    {
        var outcome = await SeedUsersAsync(data, histories, users: null, maxEventsPerUser, progress, cancellationToken).ConfigureAwait(false);
        return outcome.Quarantined.Count == 0
            ? outcome.Seeded
            : throw new InvalidDataException($"the histories of {outcome.Quarantined.Count} users could not be written; the first: user {outcome.Quarantined[0].UserHash}: {outcome.Quarantined[0].Reason}");
    }

    /// <summary>
    /// Writes the most recent events of the dataset's users (all of them, or those in <paramref name="users"/>) into the
    /// history store. One user's failure never stops the others: it is caught (cancellation excepted) and returned in
    /// <see cref="SeedOutcome.Quarantined"/> with the user's hashed id and the reason, so one user's bad data cannot
    /// fail a run.
    /// </summary>
    public static async Task<SeedOutcome> SeedUsersAsync(InteractionDataset data, UserHistoryStore histories, IReadOnlySet<string>? users, int maxEventsPerUser = UserHistoryStore.DefaultCapacity, IProgress<int>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(histories);
        var hasher = await histories.Hashers.GetAsync(cancellationToken).ConfigureAwait(false);
        var written = 0;
        var quarantined = new List<QuarantinedUser>();
        await Parallel.ForEachAsync(Enumerable.Range(0, data.UserCount), new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = cancellationToken }, async (u, token) =>
        {
            var userId = data.UserIds[u];
            if (users is not null && !users.Contains(userId))
            {
                return;
            }

            try
            {
                var events = RecentEvents(data, u, maxEventsPerUser);
                if (events.Count > 0)
                {
                    await histories.AppendAsync(userId, events, token).ConfigureAwait(false);
                    var count = Interlocked.Increment(ref written);
                    progress?.Report(count);
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                var failed = Quarantine(userId, ex, hasher);
                lock (quarantined)
                {
                    quarantined.Add(failed);
                }
            }
        }).ConfigureAwait(false);
        return new SeedOutcome(written, [.. quarantined.OrderBy(q => q.UserHash, StringComparer.Ordinal)]);
    }

    private static List<HistoryEvent> RecentEvents(InteractionDataset data, int u, int maxEventsPerUser)
    {
        var end = data.UserOffsets[u + 1];
        var start = Math.Max(data.UserOffsets[u], end - maxEventsPerUser);
        var events = new List<HistoryEvent>(end - start);
        for (var e = start; e < end; e++)
        {
            var value = data.EventValues.Count > e ? data.EventValues[e] : float.NaN;
            events.Add(new HistoryEvent
            {
                ItemId = data.ItemIds[data.EventItems[e]],
                Type = data.EventTypeNames.Count > e ? data.EventTypeNames[e] : (data.IsNegative[e] ? "skip" : "view"),
                Timestamp = DateTimeOffset.FromUnixTimeSeconds(data.EventTimes[e]),
                Value = float.IsNaN(value) ? null : value,
            });
        }

        return events;
    }

    /// <summary>The user by hash and the failure, its text scrubbed of the raw id (storage errors quote blob paths).</summary>
    private static QuarantinedUser Quarantine(string userId, Exception exception, UserIdHasher hasher)
    {
        var hash = hasher.ForLogs(userId);
        var reason = $"{exception.GetType().Name}: {exception.Message}"
            .Replace(Uri.EscapeDataString(userId), hash, StringComparison.Ordinal)
            .Replace(userId, hash, StringComparison.Ordinal);
        return new QuarantinedUser(userId, hash, reason);
    }
}
