namespace ServerlessRec.Events;

/// <summary>
/// The range of an event's optional <c>value</c> (a rating, dwell seconds) at every entry: the API, recommendation
/// requests and every log file format. A value outside it would overflow weights and vectors downstream (a 1e39 rating
/// makes the user's history weight infinite), so it is refused at the edge: 400 from the API, <c>bad-value</c> in files.
/// </summary>
public static class EventValueRange
{
    /// <summary>The largest magnitude a value may have: |value| ≤ 1,000,000.</summary>
    public const double MaxMagnitude = 1e6;

    /// <summary>The range as the error messages state it.</summary>
    public const string Description = "a finite number from -1000000 to 1000000";

    /// <summary>Returns whether <paramref name="value"/> is finite and at most <see cref="MaxMagnitude"/> in magnitude.</summary>
    public static bool Contains(double value) => double.IsFinite(value) && Math.Abs(value) <= MaxMagnitude;
}
