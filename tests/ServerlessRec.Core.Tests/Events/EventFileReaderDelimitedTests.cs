using System.Text;
using ServerlessRec.Events;

namespace ServerlessRec.Core.Tests.Events;

public sealed class EventFileReaderDelimitedTests
{
    [Fact]
    public void Read_ContractCsv_ReadsEventsWithAndWithoutValue()
    {
        var (summary, sink) = Read(EventFileFormat.Csv(), "userId,itemId,type,timestamp,value", "u1,i1,view,2026-11-28T10:15:00Z,", "u2,i2,rating,1795860900,4.5");

        Assert.Equal(2, summary.Lines);
        Assert.Equal(new InteractionEvent("u1", "i1", "view", new DateTimeOffset(2026, 11, 28, 10, 15, 0, TimeSpan.Zero)), sink.Events[0]);
        Assert.Equal(4.5, sink.Events[1].Value);
        Assert.Equal(sink.Events[0].Timestamp, sink.Events[1].Timestamp);
    }

    [Fact]
    public void Read_QuotedFields_HandlesSeparatorsEscapedQuotesAndEmptyQuotes()
    {
        var (_, sink) = Read(EventFileFormat.Csv(), "value,timestamp,type,itemId,userId", "\"\",0,view,\"item, with comma\",\"say \"\"hi\"\"\"", "\"3\",\"0\",\"click\",\"i2\",\"u2\"");

        Assert.Equal(2, sink.Events.Count);
        Assert.Equal(("say \"hi\"", "item, with comma", null), (sink.Events[0].UserId, sink.Events[0].ItemId, sink.Events[0].Value));
        Assert.Equal(("u2", "i2", "click", 3.0), (sink.Events[1].UserId, sink.Events[1].ItemId, sink.Events[1].Type, sink.Events[1].Value));
    }

    [Theory]
    [InlineData("u1,\"i1,view,0,", "invalid-csv", "does not close")]
    [InlineData("u1,\"i1\"x,view,0,", "invalid-csv", "text after its closing quote")]
    [InlineData("u1,i1,view", "missing-field", "column \"timestamp\" is missing")]
    [InlineData("u1,,view,0,", "missing-field", "itemId is empty")]
    [InlineData("u1,i1,,0,", "missing-field", "type is empty")]
    [InlineData("u1,i1,view,,", "missing-field", "timestamp is empty")]
    [InlineData("u1,i1,watched,0,", "unknown-type", "type \"watched\" is not configured")]
    [InlineData("u1,i1,view,yesterday,", "bad-timestamp", "timestamp \"yesterday\" is not ISO-8601 or Unix seconds")]
    [InlineData("u1,i1,view,2026-11-28T10:15:00,", "bad-timestamp", "has no UTC offset")]
    [InlineData("u1,i1,view,0,lots", "bad-value", "value \"lots\" is not a number")]
    [InlineData("u1,i1,view,0,NaN", "bad-value", "is not a number")]
    [InlineData("u1,i1,view,0,1e39", "bad-value", "value \"1e39\" is out of range: a value must be a finite number from -1000000 to 1000000")]
    [InlineData("u1,i1,view,0,-1e308", "bad-value", "out of range")]
    [InlineData("u1,i1,view,0,-Infinity", "bad-value", "out of range")]
    [InlineData("u1,i1,view,0,1000000.5", "bad-value", "out of range")]
    [InlineData("u\u0002,i1,view,0,", "control-character", "U+0002")]
    public void Read_BadCsvLine_QuarantinesItAndReadsTheOthers(string bad, string reason, string messagePart)
    {
        var (summary, sink) = Read(EventFileFormat.Csv(), "userId,itemId,type,timestamp,value", "u1,i1,view,0,", bad, "u3,i3,view,0,");

        Assert.Equal(2, sink.Events.Count);
        var rejected = Assert.Single(sink.Rejected);
        Assert.Equal((3L, reason), (rejected.LineNumber, rejected.Reason));
        Assert.Contains(messagePart, rejected.Message, StringComparison.Ordinal);
        Assert.Equal(3, summary.Lines);
    }

    [Fact]
    public void Read_IdTooLongInCsv_RejectsAsIdTooLong()
    {
        var (_, sink) = Read(EventFileFormat.Csv(), "userId,itemId,type,timestamp,value", $"{new string('u', 129)},i1,view,0,");

        Assert.Equal("id-too-long", Assert.Single(sink.Rejected).Reason);
    }

    [Fact]
    public void Read_MovieLensRatingOutOfRange_QuarantinesItAsBadValue()
    {
        var (summary, sink) = Read(EventFileFormat.MovieLensRatings, "userId,movieId,rating,timestamp", "1,1,1e39,964982703", "1,2,-1000000,964982703", "1,3,4.5,964981247");

        Assert.Equal(2, summary.Accepted);
        var rejected = Assert.Single(sink.Rejected);
        Assert.Equal((2L, RejectionReasons.BadValue), (rejected.LineNumber, rejected.Reason));
        Assert.Contains("-1000000 to 1000000", rejected.Message, StringComparison.Ordinal);
        Assert.Equal(-1_000_000, sink.Events[0].Value);
    }

    [Fact]
    public void Read_MovieLensPreset_ReadsRatingsAsRatingEventsWithValue()
    {
        var (summary, sink) = Read(EventFileFormat.MovieLensRatings, "userId,movieId,rating,timestamp", "1,1,4.0,964982703", "1,3,4.5,964981247");

        Assert.Equal(2, summary.Accepted);
        Assert.Equal(new InteractionEvent("1", "1", "rating", DateTimeOffset.FromUnixTimeSeconds(964982703), 4.0), sink.Events[0]);
        Assert.Equal(4.5, sink.Events[1].Value);
    }

    [Fact]
    public void Read_HeaderWithoutMappedColumn_ThrowsNamingColumnAndFile()
    {
        var reader = new EventFileReader(new EventTypeOptions());
        using var stream = new MemoryStream(Encoding.UTF8.GetBytes("userId,itemId,rating,timestamp\n1,1,4.0,964982703\n"));

        var ex = Assert.Throws<InvalidDataException>(() => reader.Read(stream, "ratings.csv", EventFileFormat.MovieLensRatings, new CollectingSink()));

        Assert.Contains("\"movieId\"", ex.Message, StringComparison.Ordinal);
        Assert.Contains("ratings.csv", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_TsvWithFixedTypeAndUnixMilliseconds_ReadsEvents()
    {
        var columns = new DelimitedColumnMapping
        {
            User = "visitor",
            Item = "sku",
            Timestamp = "ms",
            Type = null,
            FixedType = "purchase",
            Value = null,
            TimestampFormat = DelimitedTimestampFormat.UnixMilliseconds,
        };

        var (_, sink) = Read(EventFileFormat.Tsv(columns), "ms\tsku\tvisitor\tignored", "1795860900123\tsku-1\tv1\tx");

        var e = Assert.Single(sink.Events);
        Assert.Equal(("v1", "sku-1", "purchase"), (e.UserId, e.ItemId, e.Type));
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(1795860900123), e.Timestamp);
    }

    [Fact]
    public void Read_HeaderlessWithColumnNames_MapsByPosition()
    {
        var format = EventFileFormat.Delimited('|', DelimitedColumnMapping.Contract with { TimestampFormat = DelimitedTimestampFormat.Iso8601 }, ["userId", "itemId", "type", "timestamp", "value"]);

        var (_, sink) = Read(format, "u1|i1|like|2026-11-28T10:15:00+02:00|", "u2|i2|like|1795860900|");

        Assert.Equal("u1", Assert.Single(sink.Events).UserId);
        Assert.Equal(("bad-timestamp", 2L), (sink.Rejected[0].Reason, sink.Rejected[0].LineNumber));
    }

    [Fact]
    public void Read_UnixSecondsColumnWithIsoText_RejectsAsBadTimestamp()
    {
        var (_, sink) = Read(EventFileFormat.MovieLensRatings, "userId,movieId,rating,timestamp", "1,1,4.0,2026-11-28T10:15:00Z");

        Assert.Equal("line 2: timestamp \"2026-11-28T10:15:00Z\" is not Unix seconds", Assert.Single(sink.Rejected).Message);
    }

    [Fact]
    public void Delimited_FixedTypeNotConfigured_Throws()
    {
        var format = EventFileFormat.Csv(DelimitedColumnMapping.MovieLensRatings with { FixedType = "stars" });

        Assert.Throws<ArgumentException>(() => Read(format, "userId,movieId,rating,timestamp"));
    }

    private static (EventFileSummary Summary, CollectingSink Sink) Read(EventFileFormat format, params string[] lines)
    {
        var reader = new EventFileReader(new EventTypeOptions());
        var sink = new CollectingSink();
        using var stream = new MemoryStream(Encoding.UTF8.GetBytes(string.Join("\r\n", lines) + "\r\n"));
        var summary = reader.Read(stream, "events.csv", format, sink);
        Assert.Equal(summary.Lines, summary.Accepted + summary.Rejected);
        return (summary, sink);
    }
}
