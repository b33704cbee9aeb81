namespace ServerlessRec.Events;

/// <summary>How the timestamp column of a delimited file is written.</summary>
public enum DelimitedTimestampFormat
{
    /// <summary>As in JSON Lines: ISO-8601 with an offset, or Unix seconds.</summary>
    Auto,

    /// <summary>Unix seconds, optionally fractional (MovieLens).</summary>
    UnixSeconds,

    /// <summary>Unix milliseconds.</summary>
    UnixMilliseconds,

    /// <summary>ISO-8601 with an offset (<c>Z</c> or <c>±hh:mm</c>).</summary>
    Iso8601,
}
