using System.Globalization;

namespace ServerlessRec.Events;

/// <summary>The totals of reading several files, for a run's report. <c>Accepted + Rejected == Lines</c>.</summary>
/// <param name="Files">How many files were read.</param>
/// <param name="Lines">Data lines over all files.</param>
/// <param name="Accepted">Accepted lines over all files.</param>
/// <param name="Rejected">Rejected lines over all files.</param>
/// <param name="RejectedByReason">Rejected lines per <see cref="RejectionReasons"/> code, in ordinal code order.</param>
public sealed record IngestSummary(int Files, long Lines, long Accepted, long Rejected, IReadOnlyDictionary<string, long> RejectedByReason)
{
    /// <summary>Gets the summary of no files.</summary>
    public static IngestSummary Empty { get; } = new(0, 0, 0, 0, new SortedDictionary<string, long>(StringComparer.Ordinal));

    /// <summary>Adds up the summaries of files.</summary>
    public static IngestSummary Combine(IEnumerable<EventFileSummary> files)
    {
        ArgumentNullException.ThrowIfNull(files);
        var count = 0;
        long lines = 0, accepted = 0, rejected = 0;
        var byReason = new SortedDictionary<string, long>(StringComparer.Ordinal);
        foreach (var file in files)
        {
            count++;
            lines += file.Lines;
            accepted += file.Accepted;
            rejected += file.Rejected;
            foreach (var (reason, n) in file.RejectedByReason)
            {
                byReason[reason] = byReason.GetValueOrDefault(reason) + n;
            }
        }

        return new IngestSummary(count, lines, accepted, rejected, byReason);
    }

    /// <summary>Returns this summary with one more file added.</summary>
    public IngestSummary Add(EventFileSummary file)
    {
        ArgumentNullException.ThrowIfNull(file);
        var byReason = new SortedDictionary<string, long>(RejectedByReason.ToDictionary(), StringComparer.Ordinal);
        foreach (var (reason, n) in file.RejectedByReason)
        {
            byReason[reason] = byReason.GetValueOrDefault(reason) + n;
        }

        return new IngestSummary(Files + 1, Lines + file.Lines, Accepted + file.Accepted, Rejected + file.Rejected, byReason);
    }

    /// <summary>Formats per-reason counts as <c>bad-timestamp 3, invalid-json 2</c> (or <c>none</c>).</summary>
    public static string FormatReasons(IReadOnlyDictionary<string, long> rejectedByReason)
    {
        ArgumentNullException.ThrowIfNull(rejectedByReason);
        return rejectedByReason.Count == 0
            ? "none"
            : string.Join(", ", rejectedByReason.OrderBy(r => r.Key, StringComparer.Ordinal).Select(r => string.Create(CultureInfo.InvariantCulture, $"{r.Key} {r.Value}")));
    }

    /// <inheritdoc/>
    public override string ToString() => string.Create(
        CultureInfo.InvariantCulture,
        $"{Files} file{(Files == 1 ? string.Empty : "s")}, {Lines} lines: {Accepted} accepted, {Rejected} rejected (by reason: {FormatReasons(RejectedByReason)})");
}
