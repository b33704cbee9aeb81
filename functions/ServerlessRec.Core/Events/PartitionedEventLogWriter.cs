using System.Globalization;
using System.IO.Compression;

namespace ServerlessRec.Events;

/// <summary>
/// Writes events as contract JSON Lines into files of at most <see cref="LinesPerFile"/> lines, named
/// <c>yyyy/MM/dd/HH/&lt;source&gt;-&lt;n&gt;.jsonl[.gz]</c> as in the <c>events</c> layout of design.md.
/// The hour folder is the fixed partition time when one is given (an import: when the file arrived),
/// else the time of the file's first line (time-ordered logs: files do not overlap in time).
/// </summary>
/// <remarks>
/// <see cref="Write"/> is synchronous and only buffers; full files wait in memory until
/// <see cref="FlushCompletedAsync"/> or <see cref="CompleteAsync"/> writes them, so call one of them
/// every few thousand lines to keep memory to about one file. Not thread-safe. Disposing drops what was
/// not written.
/// </remarks>
public sealed class PartitionedEventLogWriter : IDisposable
{
    /// <summary>The default of <see cref="LinesPerFile"/>: about 10 MB of plain JSON Lines.</summary>
    public const int DefaultLinesPerFile = 100_000;

    private const int ChunkBytes = 64 * 1024;

    private readonly IBlobDestination _destination;
    private readonly string _source;
    private readonly DateTimeOffset? _partitionTime;
    private readonly JsonLineBuffer _lines = new();
    private readonly Queue<(string Name, byte[] Content)> _completed = new();
    private readonly List<string> _files = [];
    private MemoryStream? _file;
    private Stream? _fileWriter;
    private string? _fileName;
    private long _fileLines;

    /// <summary>Creates a writer.</summary>
    /// <param name="destination">Where files go (the events container).</param>
    /// <param name="source">The file name prefix, e.g. <c>synthetic</c> or <c>import-ratings</c>: letters, digits, '-', '_', '.'.</param>
    /// <param name="linesPerFile">The most lines per file.</param>
    /// <param name="gzip">Whether to gzip files (<c>.jsonl.gz</c>).</param>
    /// <param name="partitionTime">A fixed hour folder for all files, or <see langword="null"/> for the time of each file's first line.</param>
    public PartitionedEventLogWriter(IBlobDestination destination, string source, int linesPerFile = DefaultLinesPerFile, bool gzip = false, DateTimeOffset? partitionTime = null)
    {
        ArgumentNullException.ThrowIfNull(destination);
        ArgumentException.ThrowIfNullOrEmpty(source);
        if (source.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.')))
        {
            throw new ArgumentException($"The source \"{source}\" may only hold ASCII letters, digits, '-', '_' and '.'.", nameof(source));
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(linesPerFile, 1);
        _destination = destination;
        _source = source;
        LinesPerFile = linesPerFile;
        Gzip = gzip;
        _partitionTime = partitionTime;
    }

    /// <summary>Gets the most lines per file.</summary>
    public int LinesPerFile { get; }

    /// <summary>Gets a value indicating whether files are gzipped.</summary>
    public bool Gzip { get; }

    /// <summary>Gets the lines written so far.</summary>
    public long Lines { get; private set; }

    /// <summary>Gets the names of the files written to the destination so far, in order.</summary>
    public IReadOnlyList<string> Files => _files;

    /// <summary>The name of file <paramref name="sequence"/> of a source whose partition time is <paramref name="time"/>.</summary>
    public static string FileName(DateTimeOffset time, string source, int sequence, bool gzip)
    {
        var utc = time.UtcDateTime;
        return string.Create(CultureInfo.InvariantCulture, $"{utc:yyyy}/{utc:MM}/{utc:dd}/{utc:HH}/{source}-{sequence:D5}.jsonl{(gzip ? ".gz" : string.Empty)}");
    }

    /// <summary>Buffers one event as a contract JSON line.</summary>
    public void Write(in InteractionEvent e)
    {
        StartFileIfNeeded(e.Timestamp);
        _lines.WriteEvent(in e);
        LineWritten();
    }

    /// <summary>Buffers one line as it is (the synthetic generator's deliberately malformed lines).</summary>
    internal void WriteRawLine(ReadOnlySpan<byte> line, DateTimeOffset time)
    {
        StartFileIfNeeded(time);
        _lines.WriteRawLine(line);
        LineWritten();
    }

    /// <summary>Writes the files that are full.</summary>
    public async Task FlushCompletedAsync(CancellationToken cancellationToken = default)
    {
        while (_completed.TryPeek(out var file))
        {
            await _destination.WriteAsync(file.Name, file.Content, cancellationToken).ConfigureAwait(false);
            _completed.Dequeue();
            _files.Add(file.Name);
        }
    }

    /// <summary>Closes the current file and writes every file still in memory.</summary>
    public async Task CompleteAsync(CancellationToken cancellationToken = default)
    {
        CloseFile();
        await FlushCompletedAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Releases the buffers; lines not yet written by <see cref="CompleteAsync"/> are dropped.</summary>
    public void Dispose()
    {
        _fileWriter?.Dispose();
        _file?.Dispose();
        _file = null;
        _fileWriter = null;
        _completed.Clear();
        _lines.Dispose();
    }

    private void StartFileIfNeeded(DateTimeOffset time)
    {
        if (_file is not null)
        {
            return;
        }

        _fileName = FileName(_partitionTime ?? time, _source, _files.Count + _completed.Count + 1, Gzip);
        _file = new MemoryStream();
        _fileWriter = Gzip ? new GZipStream(_file, CompressionLevel.Fastest, leaveOpen: true) : _file;
        _fileLines = 0;
    }

    private void LineWritten()
    {
        Lines++;
        _fileLines++;
        if (_lines.Length >= ChunkBytes)
        {
            MoveLinesToFile();
        }

        if (_fileLines >= LinesPerFile)
        {
            CloseFile();
        }
    }

    private void MoveLinesToFile()
    {
        _fileWriter!.Write(_lines.Written.Span);
        _lines.Clear();
    }

    private void CloseFile()
    {
        if (_file is null)
        {
            return;
        }

        MoveLinesToFile();
        if (Gzip)
        {
            _fileWriter!.Dispose();
        }

        _completed.Enqueue((_fileName!, _file.ToArray()));
        _file.Dispose();
        _file = null;
        _fileWriter = null;
    }
}
