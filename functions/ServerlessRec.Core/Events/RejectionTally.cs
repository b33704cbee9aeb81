using System.Globalization;
using System.Text;

namespace ServerlessRec.Events;

/// <summary>Counts one file's lines, reports each rejected line to the sink and builds the summary.</summary>
internal sealed class RejectionTally(string file, IRejectedLineSink sink)
{
    private const int MaxTextBytes = 1024;

    private readonly Dictionary<string, long> _byReason = new(StringComparer.Ordinal);

    public long Lines { get; set; }

    public long Accepted { get; set; }

    public long Rejected { get; private set; }

    public void Reject(long lineNumber, LineError error, ReadOnlySpan<byte> line, bool truncated = false)
    {
        Rejected++;
        _byReason[error.Reason] = _byReason.GetValueOrDefault(error.Reason) + 1;
        var message = string.Create(CultureInfo.InvariantCulture, $"line {lineNumber}: {error.Message}");
        sink.OnRejected(new RejectedLine(file, lineNumber, error.Reason, ToText(line, truncated), message));
    }

    public EventFileSummary ToSummary() =>
        new(file, Lines, Accepted, Rejected, new SortedDictionary<string, long>(_byReason, StringComparer.Ordinal));

    /// <summary>The line for the quarantine: at most ~1 KiB, cut at a character boundary, always valid UTF-16/UTF-8.</summary>
    internal static string ToText(ReadOnlySpan<byte> line, bool truncated)
    {
        if (line.Length > MaxTextBytes)
        {
            var cut = MaxTextBytes;
            while (cut > MaxTextBytes - 4 && (line[cut] & 0xC0) == 0x80)
            {
                cut--;
            }

            line = line[..cut];
            truncated = true;
        }

        var text = Encoding.UTF8.GetString(line);
        return truncated ? text + "…" : text;
    }
}
