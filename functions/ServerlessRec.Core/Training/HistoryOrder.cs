namespace ServerlessRec.Training;

/// <summary>
/// The one order of a user's events that training, evaluation, the stored histories and serving share: Unix second,
/// then item id as an ordinal string ("1000" &lt; "2", the evaluation protocol's tie rule), then event type (ordinal),
/// then value (none first).
/// </summary>
/// <remarks>
/// The order is built only from what every copy of an event keeps (the dataset keeps whole seconds, the stored
/// histories keep the type and value), never from arrival: the log, a bulk file and a user's history blob receive the
/// same events in different orders (concurrent posts, one log blob per instance), and the user tower reads the last
/// <c>L</c> positives and the last few session events, so two events of one second that swap places across a cut give a
/// different vector. Events equal under this order have the same item, second and weight, so which of them comes first
/// changes nothing the tower reads.
/// </remarks>
/// <param name="Seconds">The Unix time in whole seconds (sub-second parts are not part of the order).</param>
/// <param name="ItemId">The item id.</param>
/// <param name="Type">The event type as logged.</param>
/// <param name="Value">The value as a 32-bit float (what the dataset keeps), NaN when the event has none.</param>
public readonly record struct HistoryOrder(long Seconds, string ItemId, string Type, float Value) : IComparable<HistoryOrder>
{
    /// <summary>Returns the key of an event as logged or stored.</summary>
    public static HistoryOrder Of(DateTimeOffset timestamp, string itemId, string type, double? value) =>
        new(timestamp.ToUnixTimeSeconds(), itemId, type, ValueOf(value));

    /// <summary>Returns a value as the dataset keeps it: a 32-bit float, NaN for none (so a seeded copy of a posted event compares equal).</summary>
    public static float ValueOf(double? value) => value is { } v ? (float)v : float.NaN;

    /// <summary>Whether <paramref name="left"/> comes before <paramref name="right"/>.</summary>
    public static bool operator <(HistoryOrder left, HistoryOrder right) => left.CompareTo(right) < 0;

    /// <summary>Whether <paramref name="left"/> comes before <paramref name="right"/> or ties with it.</summary>
    public static bool operator <=(HistoryOrder left, HistoryOrder right) => left.CompareTo(right) <= 0;

    /// <summary>Whether <paramref name="left"/> comes after <paramref name="right"/>.</summary>
    public static bool operator >(HistoryOrder left, HistoryOrder right) => left.CompareTo(right) > 0;

    /// <summary>Whether <paramref name="left"/> comes after <paramref name="right"/> or ties with it.</summary>
    public static bool operator >=(HistoryOrder left, HistoryOrder right) => left.CompareTo(right) >= 0;

    /// <inheritdoc/>
    public int CompareTo(HistoryOrder other)
    {
        var bySecond = Seconds.CompareTo(other.Seconds);
        if (bySecond != 0)
        {
            return bySecond;
        }

        var byItem = string.CompareOrdinal(ItemId, other.ItemId);
        if (byItem != 0)
        {
            return byItem;
        }

        var byType = string.CompareOrdinal(Type, other.Type);

        // float.CompareTo puts NaN (no value) before every number.
        return byType != 0 ? byType : Value.CompareTo(other.Value);
    }
}
