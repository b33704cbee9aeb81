using System.Text;
using System.Text.Json;
using ServerlessRec.Events;
using ServerlessRec.Storage;

namespace ServerlessRec.Core.Tests.Events;

public sealed class QuarantineWriterTests
{
    [Fact]
    public async Task FlushAsync_RejectedLinesFromReader_WritesOneJsonRecordPerLineUnderRunAndFile()
    {
        var store = new InMemoryBlobStore();
        var quarantine = new QuarantineWriter(store, "run-1");
        var reader = new EventFileReader(new EventTypeOptions());
        using var stream = new MemoryStream(Encoding.UTF8.GetBytes("""
            {"userId":"u1","itemId":"i1","type":"view","timestamp":0}
            {"userId":"u1","itemId":"i1","type":"view","timestamp":"yesterday"}
            not json
            """));

        reader.Read(stream, "2026/11/28/10/web-1.jsonl", EventFileFormat.JsonLines, new RejectedOnlySink(quarantine));
        await quarantine.FlushAsync();

        Assert.Equal(["run-1/2026/11/28/10/web-1.jsonl.jsonl"], store.Names(ContainerNames.Quarantine));
        var records = ReadRecords(store, "run-1/2026/11/28/10/web-1.jsonl.jsonl");
        Assert.Equal(2, records.Count);
        Assert.Equal("2026/11/28/10/web-1.jsonl", records[0].GetProperty("file").GetString());
        Assert.Equal(2, records[0].GetProperty("line").GetInt64());
        Assert.Equal("bad-timestamp", records[0].GetProperty("reason").GetString());
        Assert.Equal("line 2: timestamp \"yesterday\" is not ISO-8601 or Unix seconds", records[0].GetProperty("message").GetString());
        Assert.Equal("""{"userId":"u1","itemId":"i1","type":"view","timestamp":"yesterday"}""", records[0].GetProperty("text").GetString());
        Assert.Equal(("invalid-json", 3L), (records[1].GetProperty("reason").GetString(), records[1].GetProperty("line").GetInt64()));
    }

    [Fact]
    public async Task FlushAsync_CalledTwice_ReplacesFirstThenAppends()
    {
        var store = new InMemoryBlobStore();
        await store.WriteAsync(ContainerNames.Quarantine, "r/f.csv.jsonl", Encoding.UTF8.GetBytes("stale from a failed attempt\n"));
        var quarantine = new QuarantineWriter(store, "r");

        quarantine.OnRejected(Line("f.csv", 1));
        await quarantine.FlushAsync();
        quarantine.OnRejected(Line("f.csv", 2));
        await quarantine.FlushAsync();
        await quarantine.FlushAsync();

        Assert.Equal([1L, 2L], ReadRecords(store, "r/f.csv.jsonl").Select(r => r.GetProperty("line").GetInt64()));
        Assert.Equal(["r/f.csv.jsonl"], quarantine.BlobNames);
    }

    [Fact]
    public async Task OnRejected_MoreThanLimit_StoresLimitThenOneMarker()
    {
        var store = new InMemoryBlobStore();
        var quarantine = new QuarantineWriter(store, "r", maxLinesPerFile: 3);

        for (var i = 1; i <= 10; i++)
        {
            quarantine.OnRejected(Line("big.jsonl", i));
        }

        await quarantine.FlushAsync();

        var records = ReadRecords(store, "r/big.jsonl.jsonl");
        Assert.Equal(4, records.Count);
        Assert.Equal(QuarantineWriter.LimitReason, records[3].GetProperty("reason").GetString());
        Assert.StartsWith("line 4: from here on", records[3].GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("web-1.jsonl", "run/web-1.jsonl.jsonl")]
    [InlineData("/data/../x/ratings.csv", "run/data/x/ratings.csv.jsonl")]
    [InlineData("C:\\drops\\a.tsv", "run/drops/a.tsv.jsonl")]
    [InlineData("..", "run/unnamed.jsonl")]
    public void BlobName_AnyFileName_IsRelativeUnderRun(string file, string expected) =>
        Assert.Equal(expected, QuarantineWriter.BlobName("run", file));

    [Theory]
    [InlineData("")]
    [InlineData("a/b")]
    [InlineData("..")]
    public void Constructor_BadRunId_Throws(string runId) =>
        Assert.ThrowsAny<ArgumentException>(() => new QuarantineWriter(new InMemoryBlobStore(), runId));

    [Fact]
    public void Combine_FileSummaries_AddsTotalsAndReasons()
    {
        var a = new EventFileSummary("a", 10, 8, 2, new Dictionary<string, long> { ["invalid-json"] = 1, ["bad-timestamp"] = 1 });
        var b = new EventFileSummary("b", 5, 4, 1, new Dictionary<string, long> { ["invalid-json"] = 1 });

        var total = IngestSummary.Combine([a, b]);

        Assert.Equal((2, 15L, 12L, 3L), (total.Files, total.Lines, total.Accepted, total.Rejected));
        Assert.Equal(["bad-timestamp", "invalid-json"], total.RejectedByReason.Keys);
        Assert.Equal(2, total.RejectedByReason["invalid-json"]);
        Assert.Equal(total.ToString(), IngestSummary.Empty.Add(a).Add(b).ToString());
        Assert.Equal("2 files, 15 lines: 12 accepted, 3 rejected (by reason: bad-timestamp 1, invalid-json 2)", total.ToString());
    }

    private static RejectedLine Line(string file, long number) => new(file, number, "invalid-json", "x", $"line {number}: invalid JSON at byte 0");

    private static List<JsonElement> ReadRecords(InMemoryBlobStore store, string name) =>
        [.. Encoding.UTF8.GetString(store.Content(ContainerNames.Quarantine, name)).Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement)];

    private sealed class RejectedOnlySink(IRejectedLineSink rejected) : IEventSink
    {
        public void OnEvent(in InteractionEvent e)
        {
        }

        public void OnRejected(RejectedLine line) => rejected.OnRejected(line);
    }
}
