namespace ServerlessRec.Training;

/// <summary>
/// One user's events up to a cutoff, in <see cref="HistoryOrder"/>, as the parallel spans <see cref="HistoryWindow"/>
/// reads: item index (0 = unknown), Unix seconds, configured weight (0 for negatives) and the negative flag.
/// </summary>
public readonly ref struct HistoryEvents
{
    /// <summary>Wraps parallel spans of equal length.</summary>
    public HistoryEvents(ReadOnlySpan<int> items, ReadOnlySpan<long> times, ReadOnlySpan<float> weights, ReadOnlySpan<bool> negative)
    {
        if (times.Length != items.Length || weights.Length != items.Length || negative.Length != items.Length)
        {
            throw new ArgumentException("the event spans must have the same length");
        }

        Items = items;
        Times = times;
        Weights = weights;
        Negative = negative;
    }

    /// <summary>Gets the item index of every event.</summary>
    public ReadOnlySpan<int> Items { get; }

    /// <summary>Gets the Unix time in seconds of every event.</summary>
    public ReadOnlySpan<long> Times { get; }

    /// <summary>Gets the weight of every event (0 for negatives).</summary>
    public ReadOnlySpan<float> Weights { get; }

    /// <summary>Gets whether every event is negative.</summary>
    public ReadOnlySpan<bool> Negative { get; }

    /// <summary>
    /// Gets the translation of <see cref="Items"/> into the tower's vocabulary (empty: none); an item that maps to 0 is
    /// unknown to the tower and left out, as serving leaves out items a model never saw.
    /// </summary>
    public ReadOnlySpan<int> ItemMap { get; init; }

    /// <summary>Gets the number of events.</summary>
    public int Count => Items.Length;

    /// <summary>The events [<paramref name="start"/>, <paramref name="cutoff"/>) of a dataset: a user's events before the one at <paramref name="cutoff"/>.</summary>
    public static HistoryEvents Of(InteractionDataset data, int start, int cutoff)
    {
        ArgumentNullException.ThrowIfNull(data);
        var count = cutoff - start;
        return new HistoryEvents(data.EventItems.AsSpan(start, count), data.EventTimes.AsSpan(start, count), data.EventWeights.AsSpan(start, count), data.IsNegative.AsSpan(start, count));
    }

    /// <summary>The tower's index of event <paramref name="e"/> when it is a positive the tower knows, else 0.</summary>
    internal int ItemOf(int e)
    {
        if (Negative[e] || !(Weights[e] > 0f))
        {
            return 0;
        }

        var item = Items[e];
        return ItemMap.IsEmpty ? item : ItemMap[item];
    }
}
