namespace ServerlessRec.Training;

/// <summary>
/// Reads a user's input history from an <see cref="InteractionDataset"/>: the most recent positive events
/// before a given event, oldest first, with their pooling weights.
/// </summary>
internal static class UserHistory
{
    /// <summary>
    /// Fills <paramref name="items"/>, <paramref name="longTerm"/> and <paramref name="session"/> with the last
    /// (at most <c>items.Length</c>) positive events of the user whose events are [start, end). Returns the count.
    /// </summary>
    public static int Fill(
        InteractionDataset data,
        HistoryWeighting weighting,
        int start,
        int end,
        Span<int> items,
        Span<long> times,
        Span<float> eventWeights,
        Span<float> longTerm,
        Span<float> session)
    {
        var capacity = items.Length;
        var n = 0;
        for (var e = end - 1; e >= start && n < capacity; e--)
        {
            if (!data.IsNegative[e] && data.EventWeights[e] > 0f)
            {
                n++;
            }
        }

        var k = n;
        for (var e = end - 1; e >= start && k > 0; e--)
        {
            if (!data.IsNegative[e] && data.EventWeights[e] > 0f)
            {
                k--;
                items[k] = data.EventItems[e];
                times[k] = data.EventTimes[e];
                eventWeights[k] = data.EventWeights[e];
            }
        }

        weighting.Compute(times[..n], eventWeights[..n], longTerm, session);
        return n;
    }
}
