namespace ServerlessRec.Events;

/// <summary>What reading one file produced. <c>Accepted + Rejected == Lines</c>.</summary>
/// <param name="File">The file (or blob) name.</param>
/// <param name="Lines">The data lines examined: blank lines and a delimited header are not counted.</param>
/// <param name="Accepted">The lines that became events (or catalog items).</param>
/// <param name="Rejected">The lines that were rejected.</param>
/// <param name="RejectedByReason">The rejected lines per <see cref="RejectionReasons"/> code, in ordinal code order.</param>
public sealed record EventFileSummary(string File, long Lines, long Accepted, long Rejected, IReadOnlyDictionary<string, long> RejectedByReason);
