using ServerlessRec.Serving;

namespace ServerlessRec.Events;

/// <summary>
/// Copies an event file of any supported format into the events container as contract JSON Lines,
/// validating every line on the way: accepted events go to a <see cref="PartitionedEventLogWriter"/>,
/// rejected lines to a sink (usually a <see cref="QuarantineWriter"/>). Valid events of forgotten users dated at or
/// before their forget time are skipped and counted (<see cref="ForgottenEventsSkipped"/>): a re-imported old file
/// must not bring them back.
/// </summary>
/// <param name="reader">The reader (it holds the configured event types).</param>
/// <param name="forgotten">The store's tombstones (<see cref="ForgottenUsers.ReadAllAsync"/>); none by default.</param>
public sealed class EventImporter(EventFileReader reader, ForgottenUserSet? forgotten = null)
{
    private readonly EventFileReader _reader = reader ?? throw new ArgumentNullException(nameof(reader));
    private readonly ForgottenUserSet _forgotten = forgotten ?? ForgottenUserSet.Empty;
    private readonly Dictionary<string, DateTimeOffset?> _forgottenAtByUser = new(StringComparer.Ordinal);
    private readonly HashSet<string> _skippedUsers = new(StringComparer.Ordinal);

    /// <summary>Gets the valid events skipped so far because their user was forgotten after they happened.</summary>
    public long ForgottenEventsSkipped { get; private set; }

    /// <summary>Gets the number of distinct forgotten users whose events were skipped so far.</summary>
    public int ForgottenUsersSkipped => _skippedUsers.Count;

    /// <summary>Imports one file. Full output files are written as reading goes; the caller completes <paramref name="output"/> and flushes the quarantine.</summary>
    /// <param name="source">The file's content (gzip detected). Not disposed.</param>
    /// <param name="fileName">The file name, for rejections and messages.</param>
    /// <param name="format">The file's layout.</param>
    /// <param name="output">Where accepted events go.</param>
    /// <param name="rejected">Where rejected lines go.</param>
    /// <param name="cancellationToken">Cancels the import.</param>
    /// <returns>The counts of the file.</returns>
    /// <exception cref="InvalidDataException">The file as a whole is unusable (header mismatch, not gzip).</exception>
    public Task<EventFileSummary> ImportAsync(Stream source, string fileName, EventFileFormat format, PartitionedEventLogWriter output, IRejectedLineSink rejected, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(rejected);
        return _reader.ReadAsync(source, fileName, format, new ImportSink(this, output, rejected), ct => new ValueTask(output.FlushCompletedAsync(ct)), cancellationToken);
    }

    private bool Skips(in InteractionEvent e)
    {
        if (_forgotten.Count == 0)
        {
            return false;
        }

        // One hash per distinct user, not per event.
        if (!_forgottenAtByUser.TryGetValue(e.UserId, out var forgottenAt))
        {
            forgottenAt = _forgotten.ForgottenAt(e.UserId);
            _forgottenAtByUser[e.UserId] = forgottenAt;
        }

        if (forgottenAt is not { } cutoff || e.Timestamp > cutoff)
        {
            return false;
        }

        ForgottenEventsSkipped++;
        _skippedUsers.Add(e.UserId);
        return true;
    }

    private sealed class ImportSink(EventImporter importer, PartitionedEventLogWriter output, IRejectedLineSink rejected) : IEventSink
    {
        public void OnEvent(in InteractionEvent e)
        {
            if (!importer.Skips(in e))
            {
                output.Write(in e);
            }
        }

        public void OnRejected(RejectedLine line) => rejected.OnRejected(line);
    }
}
