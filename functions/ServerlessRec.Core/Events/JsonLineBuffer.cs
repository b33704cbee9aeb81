using System.Buffers;
using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace ServerlessRec.Events;

/// <summary>Accumulates JSON Lines in one growing buffer with one reused <see cref="Utf8JsonWriter"/> (no allocation per line).</summary>
internal sealed class JsonLineBuffer : IDisposable
{
    private static readonly JsonWriterOptions WriterOptions = new()
    {
        // Files, not HTML: keep non-ASCII text readable; quotes, backslashes and controls are still escaped.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    private readonly ArrayBufferWriter<byte> _buffer;
    private readonly Utf8JsonWriter _writer;

    public JsonLineBuffer(int initialCapacity = 64 * 1024)
    {
        _buffer = new ArrayBufferWriter<byte>(initialCapacity);
        _writer = new Utf8JsonWriter(_buffer, WriterOptions);
    }

    public int Length => _buffer.WrittenCount;

    public ReadOnlyMemory<byte> Written => _buffer.WrittenMemory;

    public Utf8JsonWriter BeginLine()
    {
        _writer.Reset(_buffer);
        return _writer;
    }

    public void EndLine()
    {
        _writer.Flush();
        NewLine();
    }

    public void WriteRawLine(ReadOnlySpan<byte> line)
    {
        _buffer.Write(line);
        NewLine();
    }

    public void Clear() => _buffer.ResetWrittenCount();

    public void Dispose() => _writer.Dispose();

    /// <summary>Writes one event as the event contract's JSON object.</summary>
    public void WriteEvent(in InteractionEvent e)
    {
        var writer = BeginLine();
        writer.WriteStartObject();
        writer.WriteString("userId"u8, e.UserId);
        writer.WriteString("itemId"u8, e.ItemId);
        writer.WriteString("type"u8, e.Type);
        Span<byte> timestamp = stackalloc byte[40];
        writer.WriteString("timestamp"u8, timestamp[..FormatTimestamp(e.Timestamp, timestamp)]);
        if (e.Value is { } value)
        {
            writer.WriteNumber("value"u8, value);
        }
        else
        {
            writer.WriteNull("value"u8);
        }

        if (e.RecommendationId is { } recommendationId)
        {
            writer.WriteString("recommendationId"u8, recommendationId);
        }

        if (e.Position is { } position)
        {
            writer.WriteNumber("position"u8, position);
        }

        writer.WriteEndObject();
        EndLine();
    }

    /// <summary>Formats an instant as ISO-8601 UTC (<c>2026-11-28T10:15:00Z</c>, with a fraction only when there is one).</summary>
    public static int FormatTimestamp(DateTimeOffset timestamp, Span<byte> destination)
    {
        var utc = timestamp.UtcDateTime;
        var format = utc.Ticks % TimeSpan.TicksPerSecond == 0 ? "yyyy-MM-dd'T'HH:mm:ss'Z'" : "yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'";
        return utc.TryFormat(destination, out var written, format, CultureInfo.InvariantCulture)
            ? written
            : throw new InvalidOperationException("The timestamp buffer is too small.");
    }

    private void NewLine()
    {
        _buffer.GetSpan(1)[0] = (byte)'\n';
        _buffer.Advance(1);
    }
}
