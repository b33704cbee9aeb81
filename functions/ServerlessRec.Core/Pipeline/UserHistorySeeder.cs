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
    /// <summary>Writes each user's most recent events (up to the store's capacity) into the history store; returns the users written.</summary>
    public static async Task<int> SeedAsync(InteractionDataset data, UserHistoryStore histories, int maxEventsPerUser = UserHistoryStore.DefaultCapacity, IProgress<int>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(histories);
        var written = 0;
        await Parallel.ForEachAsync(Enumerable.Range(0, data.UserCount), new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = cancellationToken }, async (u, token) =>
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

            if (events.Count > 0)
            {
                await histories.AppendAsync(data.UserIds[u], events, token).ConfigureAwait(false);
                var count = Interlocked.Increment(ref written);
                progress?.Report(count);
            }
        }).ConfigureAwait(false);
        return written;
    }
}
