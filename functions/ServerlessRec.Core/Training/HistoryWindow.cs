namespace ServerlessRec.Training;

/// <summary>
/// The one rule for what the user tower reads: from a user's events in <see cref="HistoryOrder"/> up to a cutoff, the
/// last <see cref="Length"/> positive events, oldest first, with their long-term and session weights
/// (<see cref="HistoryWeighting"/>). The trainer, the evaluation scorers, the export's parity check and serving all call
/// <see cref="Fill"/>, so a user's vector is the same wherever it is computed.
/// </summary>
/// <remarks>
/// A positive is an event that is not negative, has a weight above 0 and an item the model knows (index above 0 after
/// <see cref="HistoryEvents.ItemMap"/>). Negatives and unknown items take no slot of the window; they do not end a
/// session either, since the session rule reads only the positives' times.
/// </remarks>
public sealed class HistoryWindow
{
    private const int MaxStackHistory = 512;
    private readonly HistoryWeighting _weighting;

    /// <summary>Creates the window for the given options.</summary>
    public HistoryWindow(TwoTowerOptions options)
        : this(new HistoryWeighting(options))
    {
    }

    /// <summary>Creates the window that weights its events with <paramref name="weighting"/>.</summary>
    public HistoryWindow(HistoryWeighting weighting)
    {
        ArgumentNullException.ThrowIfNull(weighting);
        _weighting = weighting;
    }

    /// <summary>Gets the most events the window holds (the model's history length L).</summary>
    public int Length => _weighting.HistoryLength;

    /// <summary>
    /// Fills <paramref name="items"/>, <paramref name="longTerm"/> and <paramref name="session"/> (each at least
    /// <see cref="Length"/> long) with the window of <paramref name="events"/>, oldest first, and returns its size.
    /// <paramref name="positions"/>, when not empty, receives each chosen event's index in <paramref name="events"/>.
    /// </summary>
    public int Fill(scoped HistoryEvents events, Span<int> items, Span<float> longTerm, Span<float> session, Span<int> positions = default)
    {
        var capacity = Length;
        if (items.Length < capacity || longTerm.Length < capacity || session.Length < capacity || (!positions.IsEmpty && positions.Length < capacity))
        {
            throw new ArgumentException($"the window's spans must hold {capacity} entries");
        }

        var n = 0;
        for (var e = events.Count - 1; e >= 0 && n < capacity; e--)
        {
            if (events.ItemOf(e) > 0)
            {
                n++;
            }
        }

        Span<long> times = n <= MaxStackHistory ? stackalloc long[n] : new long[n];
        Span<float> weights = n <= MaxStackHistory ? stackalloc float[n] : new float[n];
        var k = n;
        for (var e = events.Count - 1; e >= 0 && k > 0; e--)
        {
            var item = events.ItemOf(e);
            if (item > 0)
            {
                k--;
                items[k] = item;
                times[k] = events.Times[e];
                weights[k] = events.Weights[e];
                if (!positions.IsEmpty)
                {
                    positions[k] = e;
                }
            }
        }

        _weighting.Compute(times, weights, longTerm, session);
        return n;
    }
}

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
