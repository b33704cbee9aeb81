namespace ServerlessRec.Events;

/// <summary>
/// The short, stable codes that say why an input line was rejected. They key the per-reason counts of
/// <see cref="EventFileSummary"/> and run reports, so they never change once published.
/// </summary>
public static class RejectionReasons
{
    /// <summary>The line is not one well-formed JSON object.</summary>
    public const string InvalidJson = "invalid-json";

    /// <summary>A delimited line breaks RFC-4180 quoting (an unterminated quote, text after a closing quote).</summary>
    public const string InvalidCsv = "invalid-csv";

    /// <summary>A required field is absent, null or empty.</summary>
    public const string MissingField = "missing-field";

    /// <summary>A field has the wrong JSON kind (for example a number where a string is required).</summary>
    public const string BadField = "bad-field";

    /// <summary>An id is longer than <see cref="EventReaderOptions.MaxIdLength"/> characters.</summary>
    public const string IdTooLong = "id-too-long";

    /// <summary>The timestamp is neither ISO-8601 with an offset nor Unix time in range.</summary>
    public const string BadTimestamp = "bad-timestamp";

    /// <summary>The event type is not configured in <see cref="EventTypeOptions"/>.</summary>
    public const string UnknownType = "unknown-type";

    /// <summary>The line is not valid UTF-8.</summary>
    public const string InvalidUtf8 = "invalid-utf8";

    /// <summary>The line is longer than <see cref="EventReaderOptions.MaxLineBytes"/>.</summary>
    public const string LineTooLong = "line-too-long";

    /// <summary>An id (or the line itself) contains a control character.</summary>
    public const string ControlCharacter = "control-character";

    /// <summary>The optional value is not a number, or not inside <see cref="EventValueRange"/> (finite, |value| ≤ 1e6).</summary>
    public const string BadValue = "bad-value";

    /// <summary>
    /// The timestamp is later than the retraining run's start plus the allowed clock skew: kept out of training, since
    /// one event dated 2099 would otherwise become the model's data cutoff and switch off the live-model comparison.
    /// </summary>
    public const string FutureTimestamp = "future-timestamp";
}
