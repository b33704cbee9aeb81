namespace ServerlessRec.Events;

/// <summary>The two families of event files.</summary>
public enum EventFileKind
{
    /// <summary>One JSON object per line (the event contract).</summary>
    JsonLines,

    /// <summary>Separated values (CSV, TSV) with RFC-4180 quoting.</summary>
    Delimited,
}
