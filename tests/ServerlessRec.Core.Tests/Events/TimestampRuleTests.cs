using System.Text.Json;
using ServerlessRec.Events;
using ServerlessRec.Http;

namespace ServerlessRec.Core.Tests.Events;

/// <summary>
/// One timestamp rule for event files and the API: the same table of JSON values is accepted or refused by a JSON Lines
/// file and by a request body (read with the options every route reads bodies with), and accepted ones mean the same instant.
/// </summary>
public sealed class TimestampRuleTests
{
    private static readonly DateTimeOffset Instant = new(2026, 11, 28, 10, 15, 0, TimeSpan.Zero);

    /// <summary>The JSON value of <c>timestamp</c>, and the ticks after <see cref="Instant"/> it means (null: refused).</summary>
    public static TheoryData<string, long?> Table => new()
    {
        { "\"2026-11-28T10:15:00Z\"", 0L },
        { "\"2026-11-28T10:15:00z\"", 0L },
        { "\"2026-11-28T11:15:00+01:00\"", 0L },
        { "\"2026-11-28T05:15:00-0500\"", 0L },
        { "\"2026-11-28T12:15:00+02\"", 0L },
        { "\"2026-11-28 10:15Z\"", 0L },
        { "\"2026-11-28T10:15:00.25Z\"", 2_500_000L },
        { "1795860900", 0L },
        { "1795860900.25", 2_500_000L },
        { "\"1795860900\"", 0L },
        { "\"2026-11-28T10:15:00\"", null },
        { "\"2026-11-28\"", null },
        { "\"2026-11-28T10:15\"", null },
        { "\"yesterday\"", null },
        { "\"28/11/2026 10:15:00 +00:00\"", null },
        { "\"2026-13-01T00:00:00Z\"", null },
        { "\"2026-11-28T10:15:00+15:00\"", null },
        { "1795860900000", null },
        { "1e300", null },
        { "true", null },
        { "[1795860900]", null },
        { "{\"seconds\":1795860900}", null },
    };

    [Theory]
    [MemberData(nameof(Table))]
    public void EventFile_Timestamp_FollowsTheRule(string json, long? ticksAfter)
    {
        var (_, sink) = EventFileReaderJsonLinesTests.Read($$"""{"userId":"u1","itemId":"i1","type":"view","timestamp":{{json}}}""");

        if (ticksAfter is { } ticks)
        {
            Assert.Equal(Instant.AddTicks(ticks).UtcTicks, Assert.Single(sink.Events).Timestamp.UtcTicks);
        }
        else
        {
            Assert.Equal("bad-timestamp", Assert.Single(sink.Rejected).Reason);
        }
    }

    [Theory]
    [MemberData(nameof(Table))]
    public void RequestBody_Timestamp_FollowsTheRule(string json, long? ticksAfter)
    {
        var body = $$"""{"events":[{"userId":"u1","itemId":"i1","type":"view","timestamp":{{json}}}]}""";

        if (ticksAfter is { } ticks)
        {
            var request = JsonSerializer.Deserialize<EventBatchRequest>(body, RequestBody.Options)!;
            Assert.Equal(Instant.AddTicks(ticks).UtcTicks, request.Events![0]!.Timestamp!.Value.UtcTicks);
        }
        else
        {
            var refused = Assert.IsType<InvalidTimestampException>(Record.Exception(() => JsonSerializer.Deserialize<EventBatchRequest>(body, RequestBody.Options)));
            Assert.Equal("$.events[0].timestamp", refused.Path);
        }
    }

    [Fact]
    public void RequestBody_TimestampNull_IsTheServersClock()
    {
        var request = JsonSerializer.Deserialize<EventBatchRequest>("""{"events":[{"userId":"u1","itemId":"i1","type":"view","timestamp":null}]}""", RequestBody.Options)!;

        Assert.Null(request.Events![0]!.Timestamp);
    }
}
