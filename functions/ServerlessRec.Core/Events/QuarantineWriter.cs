using System.Globalization;
using ServerlessRec.Storage;

namespace ServerlessRec.Events;

/// <summary>
/// Keeps rejected lines for people to inspect: <c>quarantine/&lt;runId&gt;/&lt;file&gt;.jsonl</c>, one JSON
/// object per line (<c>file</c>, <c>line</c>, <c>reason</c>, <c>message</c>, <c>text</c>). Lines are buffered
/// in memory and written by <see cref="FlushAsync"/>.
/// </summary>
/// <remarks>
/// At most <see cref="MaxLinesPerFile"/> lines are stored per source file: after that a single
/// <c>quarantine-limit</c> record says so, and the rest are only counted (every rejected line is always
/// in the reader's <see cref="EventFileSummary"/>). This bounds memory and storage when a whole file is
/// broken, where a sample shows the problem as well as all of it. <see cref="OnRejected"/> is thread-safe.
/// The first flush of a file replaces its blob, so a retried run with the same id does not duplicate lines.
/// </remarks>
public sealed class QuarantineWriter : IRejectedLineSink
{
    /// <summary>The default of <see cref="MaxLinesPerFile"/>.</summary>
    public const int DefaultMaxLinesPerFile = 10_000;

    /// <summary>The reason of the record that marks where storing stopped for a file.</summary>
    public const string LimitReason = "quarantine-limit";

    private readonly IBlobDestination _destination;
    private readonly Dictionary<string, FileBuffer> _files = new(StringComparer.Ordinal);
    private readonly List<string> _blobNames = [];
    private readonly Lock _lock = new();

    /// <summary>Creates a writer into a container (by default <see cref="ContainerNames.Quarantine"/>) of a store.</summary>
    public QuarantineWriter(IBlobStore store, string runId, string container = ContainerNames.Quarantine, int maxLinesPerFile = DefaultMaxLinesPerFile)
        : this(new BlobStoreDestination(store, container), runId, maxLinesPerFile)
    {
    }

    /// <summary>Creates a writer into any destination.</summary>
    /// <param name="destination">Where quarantine blobs go.</param>
    /// <param name="runId">The run the lines belong to: a non-empty name without '/'.</param>
    /// <param name="maxLinesPerFile">The most lines stored per source file.</param>
    public QuarantineWriter(IBlobDestination destination, string runId, int maxLinesPerFile = DefaultMaxLinesPerFile)
    {
        ArgumentNullException.ThrowIfNull(destination);
        ArgumentException.ThrowIfNullOrWhiteSpace(runId);
        if (runId.AsSpan().IndexOfAny('/', '\\') >= 0 || runId is "." or "..")
        {
            throw new ArgumentException($"The run id \"{runId}\" must not contain '/' or '\\'.", nameof(runId));
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(maxLinesPerFile, 1);
        _destination = destination;
        RunId = runId;
        MaxLinesPerFile = maxLinesPerFile;
    }

    /// <summary>Gets the run id (the folder under the quarantine container).</summary>
    public string RunId { get; }

    /// <summary>Gets the most lines stored per source file.</summary>
    /// <value>The default is 10,000 lines.</value>
    public int MaxLinesPerFile { get; }

    /// <summary>Gets the blobs written so far, in the order first written.</summary>
    public IReadOnlyList<string> BlobNames
    {
        get
        {
            lock (_lock)
            {
                return [.. _blobNames];
            }
        }
    }

    /// <summary>The blob a source file's rejected lines go to: <c>&lt;runId&gt;/&lt;file&gt;.jsonl</c>, the file name made relative and without '..'.</summary>
    public static string BlobName(string runId, string file)
    {
        ArgumentNullException.ThrowIfNull(file);
        var segments = file.Replace('\\', '/').Split('/', StringSplitOptions.RemoveEmptyEntries)
            .Where(s => s is not ("." or "..") && !(s.Length == 2 && s[1] == ':'));
        var relative = string.Join('/', segments);
        return $"{runId}/{(relative.Length == 0 ? "unnamed" : relative)}.jsonl";
    }

    /// <summary>Buffers one rejected line (or counts it, past the per-file limit).</summary>
    public void OnRejected(RejectedLine line)
    {
        ArgumentNullException.ThrowIfNull(line);
        lock (_lock)
        {
            if (!_files.TryGetValue(line.File, out var file))
            {
                _files[line.File] = file = new FileBuffer(BlobName(RunId, line.File));
            }

            file.Rejected++;
            if (file.Stored < MaxLinesPerFile)
            {
                file.Stored++;
                Write(file.Pending, line.File, line.LineNumber, line.Reason, line.Message, line.Text);
            }
            else if (file.Stored == MaxLinesPerFile)
            {
                file.Stored++;
                var message = string.Create(CultureInfo.InvariantCulture, $"line {line.LineNumber}: from here on, rejected lines of this file are counted in the run report but not stored (limit {MaxLinesPerFile} per file)");
                Write(file.Pending, line.File, line.LineNumber, LimitReason, message, string.Empty);
            }
        }
    }

    /// <summary>Writes the buffered lines: the first flush of a file replaces its blob, later ones append. Not to be called concurrently with itself.</summary>
    public async Task FlushAsync(CancellationToken cancellationToken = default)
    {
        List<(FileBuffer File, byte[] Content)> pending;
        lock (_lock)
        {
            pending = [.. _files.Values.Where(f => f.Pending.Length > 0).Select(f => (f, f.Pending.Written.ToArray()))];
            foreach (var (file, _) in pending)
            {
                file.Pending.Clear();
            }
        }

        foreach (var (file, content) in pending)
        {
            if (file.Written)
            {
                await _destination.AppendAsync(file.BlobName, content, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await _destination.WriteAsync(file.BlobName, content, cancellationToken).ConfigureAwait(false);
                file.Written = true;
                lock (_lock)
                {
                    _blobNames.Add(file.BlobName);
                }
            }
        }
    }

    private static void Write(JsonLineBuffer buffer, string file, long lineNumber, string reason, string message, string text)
    {
        var writer = buffer.BeginLine();
        writer.WriteStartObject();
        writer.WriteString("file"u8, file);
        writer.WriteNumber("line"u8, lineNumber);
        writer.WriteString("reason"u8, reason);
        writer.WriteString("message"u8, message);
        writer.WriteString("text"u8, text);
        writer.WriteEndObject();
        buffer.EndLine();
    }

    private sealed class FileBuffer(string blobName)
    {
        public string BlobName { get; } = blobName;

        public JsonLineBuffer Pending { get; } = new(initialCapacity: 4096);

        public long Rejected { get; set; }

        public int Stored { get; set; }

        public bool Written { get; set; }
    }
}
