using System.IO.Compression;
using System.Text;
using ServerlessRec.Events;
using ServerlessRec.Storage;

namespace ServerlessRec.Core.Tests.Events;

public sealed class EventImporterTests
{
    private static readonly DateTimeOffset ImportTime = new(2026, 11, 28, 10, 42, 0, TimeSpan.Zero);

    [Fact]
    public async Task ImportAsync_MovieLensCsv_WritesContractJsonLinesPartitionsAndQuarantinesBadLines()
    {
        var store = new InMemoryBlobStore();
        var csv = new StringBuilder("userId,movieId,rating,timestamp\n");
        for (var i = 0; i < 25; i++)
        {
            csv.Append(i).Append(",m").Append(i % 7).Append(",3.5,").Append(964982703 + i).Append('\n');
        }

        csv.Append("1,2,x,964982703\n");
        var output = new PartitionedEventLogWriter(new BlobStoreDestination(store, ContainerNames.Events), "import-ratings", linesPerFile: 10, partitionTime: ImportTime);
        var quarantine = new QuarantineWriter(store, "import-1");
        using var source = new MemoryStream(Encoding.UTF8.GetBytes(csv.ToString()));

        var summary = await new EventImporter(new EventFileReader(new EventTypeOptions())).ImportAsync(source, "ratings.csv", EventFileFormat.MovieLensRatings, output, quarantine);
        await output.CompleteAsync();
        await quarantine.FlushAsync();

        Assert.Equal((26L, 25L, 1L), (summary.Lines, summary.Accepted, summary.Rejected));
        Assert.Equal(
            ["2026/11/28/10/import-ratings-00001.jsonl", "2026/11/28/10/import-ratings-00002.jsonl", "2026/11/28/10/import-ratings-00003.jsonl"],
            store.Names(ContainerNames.Events));
        Assert.Equal(store.Names(ContainerNames.Events), output.Files);
        var first = Encoding.UTF8.GetString(store.Content(ContainerNames.Events, output.Files[0])).Split('\n')[0];
        Assert.Equal("""{"userId":"0","itemId":"m0","type":"rating","timestamp":"2000-07-30T18:45:03Z","value":3.5}""", first);
        Assert.Equal(["import-1/ratings.csv.jsonl"], store.Names(ContainerNames.Quarantine));

        var reread = new CollectingSink();
        var reader = new EventFileReader(new EventTypeOptions());
        foreach (var name in output.Files)
        {
            using var blob = new MemoryStream(store.Content(ContainerNames.Events, name));
            reader.Read(blob, name, EventFileFormat.JsonLines, reread);
        }

        Assert.Equal(25, reread.Events.Count);
        Assert.Empty(reread.Rejected);
        Assert.Equal(new InteractionEvent("24", "m3", "rating", DateTimeOffset.FromUnixTimeSeconds(964982727), 3.5), reread.Events[^1]);
    }

    [Fact]
    public async Task Write_GzipAndFirstLineTime_NamesFilesByFirstEventHourAndRoundTrips()
    {
        var store = new InMemoryBlobStore();
        using var output = new PartitionedEventLogWriter(new BlobStoreDestination(store, ContainerNames.Events), "web", linesPerFile: 2, gzip: true);
        var t = new DateTimeOffset(2026, 1, 2, 3, 59, 59, TimeSpan.Zero);

        output.Write(new InteractionEvent("u\"1", "é", "view", t.AddTicks(1234567)));
        output.Write(new InteractionEvent("u2", "i2", "click", t.AddSeconds(1), 2));
        output.Write(new InteractionEvent("u3", "i3", "like", t.AddHours(5)));
        await output.CompleteAsync();

        Assert.Equal(["2026/01/02/03/web-00001.jsonl.gz", "2026/01/02/08/web-00002.jsonl.gz"], store.Names(ContainerNames.Events));
        using var gzip = new GZipStream(new MemoryStream(store.Content(ContainerNames.Events, "2026/01/02/03/web-00001.jsonl.gz")), CompressionMode.Decompress);
        var sink = new CollectingSink();
        new EventFileReader(new EventTypeOptions()).Read(gzip, "x.jsonl", EventFileFormat.JsonLines, sink);
        Assert.Equal(new InteractionEvent("u\"1", "é", "view", t.AddTicks(1234567)), sink.Events[0]);
        Assert.Equal(2.0, sink.Events[1].Value);
    }
}
