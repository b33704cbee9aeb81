using System.IO.Compression;
using System.Text;
using ServerlessRec.Events;

namespace ServerlessRec.Core.Tests.Events;

public sealed class EventFileReaderJsonLinesTests
{
    private const string Good = """{"userId":"u1","itemId":"i1","type":"view","timestamp":"2026-11-28T10:15:00Z","value":null}""";

    [Fact]
    public void Read_ValidLine_ReturnsEventWithAllFields()
    {
        var (summary, sink) = Read("""{"userId":"u42","itemId":"m318","type":"rating","timestamp":"2026-11-28T10:15:00+01:00","value":4.5}""");

        var e = Assert.Single(sink.Events);
        Assert.Equal(new InteractionEvent("u42", "m318", "rating", new DateTimeOffset(2026, 11, 28, 10, 15, 0, TimeSpan.FromHours(1)), 4.5), e);
        Assert.Equal(1, summary.Lines);
        Assert.Equal(1, summary.Accepted);
        Assert.Equal(0, summary.Rejected);
        Assert.Empty(summary.RejectedByReason);
    }

    [Theory]
    [InlineData("""{"userId":"u1","itemId":"i1","type":"view","timestamp":"2026-11-28T10:15:00","value":null}""", "bad-timestamp", "has no UTC offset")]
    [InlineData("""{"userId":"u1","itemId":"i1","type":"view","timestamp":"2026-11-28","value":null}""", "bad-timestamp", "has no UTC offset")]
    [InlineData("""{"userId":"u1","itemId":"i1","type":"view","timestamp":"yesterday"}""", "bad-timestamp", "timestamp \"yesterday\" is not ISO-8601 or Unix seconds")]
    [InlineData("""{"userId":"u1","itemId":"i1","type":"view","timestamp":"2026-13-01T00:00:00Z"}""", "bad-timestamp", "is not ISO-8601")]
    [InlineData("""{"userId":"u1","itemId":"i1","type":"view","timestamp":1764324900000}""", "bad-timestamp", "out of range (Unix milliseconds instead of seconds?)")]
    [InlineData("""{"userId":"u1","itemId":"i1","type":"view","timestamp":true}""", "bad-timestamp", "must be a string or a number")]
    [InlineData("""{"userId":"u1","itemId":"i1","type":"view"}""", "missing-field", "timestamp is missing")]
    [InlineData("""{"itemId":"i1","type":"view","timestamp":0}""", "missing-field", "userId is missing")]
    [InlineData("""{"userId":"u1","itemId":null,"type":"view","timestamp":0}""", "missing-field", "itemId is missing")]
    [InlineData("""{"userId":"","itemId":"i1","type":"view","timestamp":0}""", "missing-field", "userId is empty")]
    [InlineData("""{"userId":"u1","itemId":"i1","timestamp":0}""", "missing-field", "type is missing")]
    [InlineData("""{"userId":42,"itemId":"i1","type":"view","timestamp":0}""", "bad-field", "userId must be a string, got a number")]
    [InlineData("""{"userId":"u1","itemId":"i1","type":"viewed","timestamp":0}""", "unknown-type", "type \"viewed\" is not configured")]
    [InlineData("""{"userId":"u\u0007","itemId":"i1","type":"view","timestamp":0}""", "control-character", "userId \"u\\u0007\" contains a control character (U+0007)")]
    [InlineData("{\"userId\":\"u\u0001\",\"itemId\":\"i1\",\"type\":\"view\",\"timestamp\":0}", "control-character", "control character (U+0001)")]
    [InlineData("""{"userId":"u1","itemId":"i1","type":"view","timestamp":0,"value":"five"}""", "bad-value", "value must be a number or null, got a string")]
    [InlineData("""{"userId":"u1","itemId":"i1","type":"view","timestamp":0,"value":1e999}""", "bad-value", "out of range")]
    [InlineData("""{"userId":"u1","itemId":"i1","type":"rating","timestamp":0,"value":1e39}""", "bad-value", "value \"1e39\" is out of range: a value must be a finite number from -1000000 to 1000000")]
    [InlineData("""{"userId":"u1","itemId":"i1","type":"rating","timestamp":0,"value":-1e308}""", "bad-value", "out of range")]
    [InlineData("""{"userId":"u1","itemId":"i1","type":"rating","timestamp":0,"value":1000000.001}""", "bad-value", "out of range")]
    [InlineData("""{"userId":"u1","itemId":"i1","type":"view","timest""", "invalid-json", "invalid JSON")]
    [InlineData("""{"userId":"u1","itemId":"i1","type":"view","timestamp":0}}""", "invalid-json", "invalid JSON")]
    [InlineData("""["u1","i1","view",0]""", "invalid-json", "not a JSON object")]
    [InlineData("hello world", "invalid-json", "invalid JSON")]
    public void Read_BadLineBetweenGoodOnes_QuarantinesItWithLineNumberAndReason(string bad, string reason, string messagePart)
    {
        var (summary, sink) = Read(Good, bad, Good);

        Assert.Equal(2, sink.Events.Count);
        var rejected = Assert.Single(sink.Rejected);
        Assert.Equal(2, rejected.LineNumber);
        Assert.Equal(reason, rejected.Reason);
        Assert.Equal("events.jsonl", rejected.File);
        Assert.StartsWith("line 2: ", rejected.Message, StringComparison.Ordinal);
        Assert.Contains(messagePart, rejected.Message, StringComparison.Ordinal);
        Assert.Equal(bad, rejected.Text);
        Assert.Equal(3, summary.Lines);
        Assert.Equal(1, summary.RejectedByReason[reason]);
    }

    [Fact]
    public void Read_IdLongerThan128Characters_RejectsAsIdTooLong()
    {
        var bad = $$"""{"userId":"u1","itemId":"{{new string('x', 129)}}","type":"view","timestamp":0}""";
        var ok = $$"""{"userId":"u1","itemId":"{{new string('x', 128)}}","type":"view","timestamp":0}""";

        var (_, sink) = Read(bad, ok);

        Assert.Equal("id-too-long", Assert.Single(sink.Rejected).Reason);
        Assert.Equal("line 1: itemId is 129 characters long; the limit is 128", sink.Rejected[0].Message);
        Assert.Equal(128, Assert.Single(sink.Events).ItemId.Length);
    }

    [Fact]
    public void Read_InvalidUtf8Bytes_RejectsWithoutReplacingSilently()
    {
        var bytes = Concat(Encoding.UTF8.GetBytes(Good + "\n"), Encoding.UTF8.GetBytes("""{"userId":"u1","itemId":"i"""), [0xC3, 0x28], Encoding.UTF8.GetBytes("\",\"type\":\"view\",\"timestamp\":0}\n" + Good));

        var (summary, sink) = Read(bytes);

        var rejected = Assert.Single(sink.Rejected);
        Assert.Equal(("invalid-utf8", 2L), (rejected.Reason, rejected.LineNumber));
        Assert.Contains("byte 0xC3 at 26", rejected.Message, StringComparison.Ordinal);
        Assert.Contains('\uFFFD', rejected.Text);
        Assert.Equal(2, summary.Accepted);
    }

    [Fact]
    public void Read_LineLongerThanLimit_RejectsItAndReadsTheNextLine()
    {
        var options = new EventReaderOptions { MaxLineBytes = 1024 };
        var huge = $$"""{"userId":"u1","itemId":"i1","type":"view","timestamp":0,"pad":"{{new string('p', 200_000)}}"}""";

        var (summary, sink) = Read(Encoding.UTF8.GetBytes(string.Join("\n", Good, huge, Good, huge)), options);

        Assert.Equal(2, sink.Events.Count);
        Assert.Equal([2L, 4L], sink.Rejected.Select(r => r.LineNumber));
        Assert.All(sink.Rejected, r => Assert.Equal("line-too-long", r.Reason));
        Assert.True(sink.Rejected[0].Text.Length <= 1025);
        Assert.EndsWith("…", sink.Rejected[0].Text, StringComparison.Ordinal);
        Assert.Equal(4, summary.Lines);
    }

    [Fact]
    public void Read_LineExactlyAtLimit_IsAccepted()
    {
        var options = new EventReaderOptions { MaxLineBytes = 256 };
        var prefix = """{"userId":"u1","itemId":"i1","type":"view","timestamp":0,"pad":""" + "\"";
        var line = prefix + new string('p', 256 - prefix.Length - 2) + "\"}";
        Assert.Equal(256, line.Length);

        var (_, sink) = Read(Encoding.UTF8.GetBytes(line + "\r\n" + line + "x\r\n"), options);

        Assert.Single(sink.Events);
        Assert.Equal(("line-too-long", 2L), (Assert.Single(sink.Rejected).Reason, sink.Rejected[0].LineNumber));
    }

    [Fact]
    public void Read_CrLfBomAndBlankLines_AreHandledAndBlankLinesNotCounted()
    {
        var text = "\uFEFF" + Good + "\r\n\r\n   \r\n" + Good.Replace("u1", "u2", StringComparison.Ordinal) + "\r\n";

        var (summary, sink) = Read(Encoding.UTF8.GetBytes(text));

        Assert.Equal(["u1", "u2"], sink.Events.Select(e => e.UserId));
        Assert.Equal(2, summary.Lines);
        Assert.Empty(sink.Rejected);
    }

    [Fact]
    public void Read_LastLineWithoutNewline_IsRead()
    {
        var (_, sink) = Read(Encoding.UTF8.GetBytes(Good + "\n" + Good));

        Assert.Equal(2, sink.Events.Count);
    }

    [Theory]
    [InlineData("1795860900", 0L)]
    [InlineData("\"1795860900\"", 0L)]
    [InlineData("1795860900.25", 2_500_000L)]
    [InlineData("\"2026-11-28T10:15:00Z\"", 0L)]
    [InlineData("\"2026-11-28T11:15:00+01:00\"", 0L)]
    [InlineData("\"2026-11-28T05:15:00-0500\"", 0L)]
    [InlineData("\"2026-11-28T10:15:00.25Z\"", 2_500_000L)]
    public void Read_UnixSecondsAndIsoTimestamps_AreTheSameInstant(string timestamp, long extraTicks)
    {
        var (_, sink) = Read($$"""{"userId":"u1","itemId":"i1","type":"view","timestamp":{{timestamp}}}""");

        var expected = new DateTimeOffset(2026, 11, 28, 10, 15, 0, TimeSpan.Zero).AddTicks(extraTicks);
        Assert.Equal(expected.UtcTicks, Assert.Single(sink.Events).Timestamp.UtcTicks);
    }

    [Fact]
    public void Read_TypeInOtherCaseAndUnknownFields_UsesConfiguredNameAndIgnoresTheRest()
    {
        var (_, sink) = Read("""{"extra":{"a":[1,2,{"b":null}]},"userId":"u1","itemId":"i1","type":"Purchase","timestamp":0,"value":12,"more":"x"}""");

        var e = Assert.Single(sink.Events);
        Assert.Equal("purchase", e.Type);
        Assert.Equal(12.0, e.Value);
    }

    [Fact]
    public void Read_EscapedStrings_AreUnescaped()
    {
        var (_, sink) = Read("""{"userId":"u\"1\u00e9","itemId":"i\/1","type":"vi\u0065w","timestamp":"2026-11-28T10:15:00\u005A"}""");

        var e = Assert.Single(sink.Events);
        Assert.Equal(("u\"1é", "i/1", "view"), (e.UserId, e.ItemId, e.Type));
    }

    [Fact]
    public void Read_GzipByName_RoundTrips()
    {
        var (_, sink) = ReadGzip("events.jsonl.gz", Good, Good);

        Assert.Equal(2, sink.Events.Count);
    }

    [Fact]
    public void Read_GzipContentWithPlainName_IsDetectedByMagicBytes()
    {
        var (_, sink) = ReadGzip("events.jsonl", Good);

        Assert.Single(sink.Events);
    }

    [Fact]
    public void Read_GzNameWithPlainContent_ThrowsInvalidDataNamingTheFile()
    {
        var reader = new EventFileReader(new EventTypeOptions());
        using var stream = new MemoryStream(Encoding.UTF8.GetBytes(Good));

        var ex = Assert.Throws<InvalidDataException>(() => reader.Read(stream, "x.jsonl.gz", EventFileFormat.JsonLines, new CollectingSink()));

        Assert.Contains("x.jsonl.gz", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_EmptyStream_ReturnsZeroCounts()
    {
        var (summary, sink) = Read([]);

        Assert.Equal((0L, 0L, 0L), (summary.Lines, summary.Accepted, summary.Rejected));
        Assert.Empty(sink.Events);
    }

    [Fact]
    public async Task ReadAsync_NonSeekableStreamInSmallChunks_ReadsTheSameAsRead()
    {
        var lines = Enumerable.Range(0, 500).Select(i => Good.Replace("u1", $"u{i}", StringComparison.Ordinal)).Append("broken").ToArray();
        var reader = new EventFileReader(new EventTypeOptions());
        var sink = new CollectingSink();
        using var stream = new TrickleStream(Encoding.UTF8.GetBytes(string.Join("\n", lines)), chunk: 7);

        var summary = await reader.ReadAsync(stream, "events.jsonl", EventFileFormat.JsonLines, sink);

        Assert.Equal(500, summary.Accepted);
        Assert.Equal(501, Assert.Single(sink.Rejected).LineNumber);
        Assert.Equal("u499", sink.Events[^1].UserId);
    }

    [Fact]
    public async Task ReadAsync_OneByteReadsAroundTheLineLimit_GivesTheSameResultAsOneBuffer()
    {
        var options = new EventReaderOptions { MaxLineBytes = 256 };
        var prefix = """{"userId":"u1","itemId":"i1","type":"view","timestamp":0,"pad":""" + "\"";
        string Line(int length) => prefix + new string('p', length - prefix.Length - 2) + "\"}";
        var text = "\uFEFF" + string.Join("\r\n", Line(255), Line(256), Line(257), Line(300), "", Line(256), Line(2000), Good) + "\r\n" + Line(256);
        var bytes = Encoding.UTF8.GetBytes(text);
        var whole = Read(bytes, options);
        var reader = new EventFileReader(new EventTypeOptions(), options);
        var sink = new CollectingSink();

        var trickled = await reader.ReadAsync(new TrickleStream(bytes, chunk: 1), "events.jsonl", EventFileFormat.JsonLines, sink);

        Assert.Equal(whole.Summary.Accepted, trickled.Accepted);
        Assert.Equal(5, trickled.Accepted);
        Assert.Equal([3L, 4L, 7L], sink.Rejected.Select(r => r.LineNumber));
        Assert.Equal(whole.Sink.Rejected.Select(r => (r.LineNumber, r.Reason)), sink.Rejected.Select(r => (r.LineNumber, r.Reason)));
    }

    [Fact]
    public void Read_Cancelled_Throws()
    {
        var reader = new EventFileReader(new EventTypeOptions());
        using var stream = new MemoryStream(Encoding.UTF8.GetBytes(Good));

        Assert.Throws<OperationCanceledException>(() => reader.Read(stream, "e.jsonl", EventFileFormat.JsonLines, new CollectingSink(), new CancellationToken(canceled: true)));
    }

    internal static (EventFileSummary Summary, CollectingSink Sink) Read(params string[] lines) => Read(Encoding.UTF8.GetBytes(string.Join("\n", lines) + "\n"));

    internal static (EventFileSummary Summary, CollectingSink Sink) Read(byte[] content, EventReaderOptions? options = null, string fileName = "events.jsonl")
    {
        var reader = new EventFileReader(new EventTypeOptions(), options);
        var sink = new CollectingSink();
        using var stream = new MemoryStream(content);
        var summary = reader.Read(stream, fileName, EventFileFormat.JsonLines, sink);
        Assert.Equal(summary.Lines, summary.Accepted + summary.Rejected);
        Assert.Equal(sink.Events.Count, summary.Accepted);
        Assert.Equal(sink.Rejected.Count, summary.Rejected);
        return (summary, sink);
    }

    private static (EventFileSummary Summary, CollectingSink Sink) ReadGzip(string fileName, params string[] lines)
    {
        using var compressed = new MemoryStream();
        using (var gzip = new GZipStream(compressed, CompressionLevel.Fastest, leaveOpen: true))
        {
            gzip.Write(Encoding.UTF8.GetBytes(string.Join("\n", lines)));
        }

        return Read(compressed.ToArray(), fileName: fileName);
    }

    private static byte[] Concat(params byte[][] parts) => [.. parts.SelectMany(p => p)];
}
