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
