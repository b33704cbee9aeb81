using System.Globalization;
using System.Text;
using System.Text.Unicode;

namespace ServerlessRec.Events;

/// <summary>
/// Reads event files (JSON Lines or CSV/TSV, plain or gzip) line by line with constant memory per file.
/// Every line ends up in exactly one place: an event for <see cref="IEventSink.OnEvent"/>, or a
/// <see cref="RejectedLine"/> with a reason for <see cref="IRejectedLineSink.OnRejected"/>. A bad line
/// never stops reading; only problems of the whole file throw (a mapped column missing from the header,
/// a file named .gz that is not gzip, a failing stream).
/// </summary>
/// <remarks>
/// A reader is immutable and may be shared across threads; each call reads one file. The configured
/// event types are taken when the reader is created.
/// </remarks>
public sealed class EventFileReader
{
    private readonly EventReaderOptions _options;
    private readonly EventTypeResolver _types;
    private readonly DateTimeOffset? _notAfter;

    /// <summary>Creates a reader.</summary>
    /// <param name="types">The configured event types: a line of another type is rejected as <c>unknown-type</c>.</param>
    /// <param name="options">The limits; the defaults when <see langword="null"/>.</param>
    /// <param name="notAfter">The latest accepted timestamp (a retraining run's start plus the allowed skew): a later line is rejected as <c>future-timestamp</c>; no limit when <see langword="null"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of its range.</exception>
    public EventFileReader(EventTypeOptions types, EventReaderOptions? options = null, DateTimeOffset? notAfter = null)
    {
        ArgumentNullException.ThrowIfNull(types);
        _options = options ?? new EventReaderOptions();
        _options.Validate();
        _types = new EventTypeResolver(types);
        _notAfter = notAfter;
    }

    /// <summary>Reads one file to the end, synchronously.</summary>
    /// <param name="stream">The content; gzip is detected by its magic bytes. Not disposed.</param>
    /// <param name="fileName">The file or blob name, used in rejections and messages.</param>
    /// <param name="format">The layout (see <see cref="EventFileFormat.FromFileName"/>).</param>
    /// <param name="sink">Receives events and rejected lines.</param>
    /// <param name="cancellationToken">Checked between buffer reads.</param>
    /// <returns>The counts of the file.</returns>
    /// <exception cref="InvalidDataException">The file as a whole is unusable (header mismatch, not gzip, corrupt gzip).</exception>
    public EventFileSummary Read(Stream stream, string fileName, EventFileFormat format, IEventSink sink, CancellationToken cancellationToken = default)
    {
        var file = Start(stream, fileName, format, sink);
        using var input = CompressedInput.Open(stream, fileName);
        using var scanner = new LineScanner(input, _options.MaxLineBytes);
        while (true)
        {
            file.Drain(scanner);
            if (scanner.IsCompleted)
            {
                return file.Tally.ToSummary();
            }

            cancellationToken.ThrowIfCancellationRequested();
            scanner.Fill();
        }
    }

    /// <summary>Reads one file to the end, awaiting the stream's reads (for blob streams).</summary>
    /// <inheritdoc cref="Read" path="/param"/>
    /// <inheritdoc cref="Read" path="/returns"/>
    /// <inheritdoc cref="Read" path="/exception"/>
    public Task<EventFileSummary> ReadAsync(Stream stream, string fileName, EventFileFormat format, IEventSink sink, CancellationToken cancellationToken = default) =>
        ReadAsync(stream, fileName, format, sink, afterEachRead: null, cancellationToken);

    /// <summary>As the public overload, and awaits <paramref name="afterEachRead"/> between buffer reads (to flush what the sink buffered).</summary>
    internal async Task<EventFileSummary> ReadAsync(Stream stream, string fileName, EventFileFormat format, IEventSink sink, Func<CancellationToken, ValueTask>? afterEachRead, CancellationToken cancellationToken)
    {
        var file = Start(stream, fileName, format, sink);
        var input = await CompressedInput.OpenAsync(stream, fileName, cancellationToken).ConfigureAwait(false);
        await using (input.ConfigureAwait(false))
        {
            using var scanner = new LineScanner(input, _options.MaxLineBytes);
            while (true)
            {
                file.Drain(scanner);
                if (afterEachRead is not null)
                {
                    await afterEachRead(cancellationToken).ConfigureAwait(false);
                }

                if (scanner.IsCompleted)
                {
                    return file.Tally.ToSummary();
                }

                await scanner.FillAsync(cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private FileParse Start(Stream stream, string fileName, EventFileFormat format, IEventSink sink)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentException.ThrowIfNullOrEmpty(fileName);
        ArgumentNullException.ThrowIfNull(format);
        ArgumentNullException.ThrowIfNull(sink);
        return new FileParse(this, fileName, format, sink);
    }

    /// <summary>Describes the first invalid UTF-8 sequence of a line.</summary>
    internal static LineError InvalidUtf8(ReadOnlySpan<byte> line)
    {
        var position = 0;
        while (position < line.Length && Rune.DecodeFromUtf8(line[position..], out _, out var consumed) == System.Buffers.OperationStatus.Done)
        {
            position += consumed;
        }

        return new(RejectionReasons.InvalidUtf8, $"the line is not valid UTF-8 (byte 0x{(position < line.Length ? line[position] : 0):X2} at {position})");
    }

    private static LineError FutureTimestamp(DateTimeOffset timestamp, DateTimeOffset notAfter) =>
        new(RejectionReasons.FutureTimestamp, string.Create(CultureInfo.InvariantCulture, $"timestamp {timestamp.UtcDateTime:yyyy-MM-dd'T'HH:mm:ss'Z'} is later than {notAfter.UtcDateTime:yyyy-MM-dd'T'HH:mm:ss'Z'} (the run start plus the allowed clock skew)"));

    /// <summary>The state of reading one file.</summary>
    private sealed class FileParse(EventFileReader reader, string fileName, EventFileFormat format, IEventSink sink)
    {
        private readonly JsonEventLineParser? _json = format.Kind == EventFileKind.JsonLines ? new JsonEventLineParser(reader._types) : null;
        private readonly DelimitedEventLineParser? _delimited = format.Kind == EventFileKind.Delimited ? new DelimitedEventLineParser(format, reader._types, fileName) : null;

        public RejectionTally Tally { get; } = new(fileName, sink);

        public void Drain(LineScanner scanner)
        {
            while (true)
            {
                var kind = scanner.TryReadLine(out var line);
                if (kind == ScannedLine.NeedMore)
                {
                    return;
                }

                if (kind == ScannedLine.TooLong)
                {
                    if (_delimited is { NeedsHeader: true })
                    {
                        throw new InvalidDataException($"{fileName}: the header line is longer than {reader._options.MaxLineBytes} bytes.");
                    }

                    Tally.Lines++;
                    Tally.Reject(scanner.LineNumber, new(RejectionReasons.LineTooLong, $"the line is longer than {reader._options.MaxLineBytes} bytes"), line, truncated: true);
                    continue;
                }

                if (line.IndexOfAnyExcept(" \t"u8) < 0)
                {
                    continue;
                }

                if (_delimited is { NeedsHeader: true })
                {
                    _delimited.ReadHeader(line);
                    continue;
                }

                Tally.Lines++;
                if (!Utf8.IsValid(line))
                {
                    Tally.Reject(scanner.LineNumber, InvalidUtf8(line), line);
                    continue;
                }

                InteractionEvent e;
                var error = _json is not null ? _json.TryParse(line, out e) : _delimited!.TryParse(line, out e);
                if (error.IsError)
                {
                    Tally.Reject(scanner.LineNumber, error, line);
                }
                else if (e.Timestamp > reader._notAfter)
                {
                    Tally.Reject(scanner.LineNumber, FutureTimestamp(e.Timestamp, reader._notAfter.Value), line);
                }
                else
                {
                    Tally.Accepted++;
                    sink.OnEvent(in e);
                }
            }
        }
    }
}
