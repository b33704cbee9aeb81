namespace ServerlessRec.Events;

/// <summary>What one generation wrote.</summary>
/// <param name="Events">The valid events (as requested).</param>
/// <param name="BadLines">The malformed lines.</param>
/// <param name="BadLinesByReason">The malformed lines per <see cref="RejectionReasons"/> code a reader will report.</param>
/// <param name="FirstTimestamp">The time of the first event (the start, when there are none).</param>
/// <param name="LastTimestamp">The time of the last event (the start, when there are none).</param>
/// <param name="Files">The files written (partitioned output), or empty (stream output).</param>
public sealed record SyntheticLogSummary(
    long Events,
    long BadLines,
    IReadOnlyDictionary<string, long> BadLinesByReason,
    DateTimeOffset FirstTimestamp,
    DateTimeOffset LastTimestamp,
    IReadOnlyList<string> Files);
