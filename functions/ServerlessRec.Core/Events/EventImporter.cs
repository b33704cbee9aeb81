namespace ServerlessRec.Events;

/// <summary>
/// Copies an event file of any supported format into the events container as contract JSON Lines,
/// validating every line on the way: accepted events go to a <see cref="PartitionedEventLogWriter"/>,
/// rejected lines to a sink (usually a <see cref="QuarantineWriter"/>).
/// </summary>
/// <param name="reader">The reader (it holds the configured event types).</param>
public sealed class EventImporter(EventFileReader reader)
{
    private readonly EventFileReader _reader = reader ?? throw new ArgumentNullException(nameof(reader));

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
        return _reader.ReadAsync(source, fileName, format, new ImportSink(output, rejected), ct => new ValueTask(output.FlushCompletedAsync(ct)), cancellationToken);
    }

    private sealed class ImportSink(PartitionedEventLogWriter output, IRejectedLineSink rejected) : IEventSink
    {
        public void OnEvent(in InteractionEvent e) => output.Write(in e);

        public void OnRejected(RejectedLine line) => rejected.OnRejected(line);
    }
}
