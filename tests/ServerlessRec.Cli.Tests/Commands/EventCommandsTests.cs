using System.Text;
using ServerlessRec.Events;

namespace ServerlessRec.Cli.Tests.Commands;

public sealed class EventCommandsTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), $"serverlessrec-cli-{Guid.NewGuid():N}");

    public EventCommandsTests() => Directory.CreateDirectory(_root);

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task Generate_OutDirectory_WritesHourPartitionsAndCatalogBesideIt()
    {
        var events = Path.Combine(_root, "store", "events");

        var (code, output, _) = await RunAsync("generate", "--users", "50", "--items", "80", "--events", "3000", "--seed", "5", "--bad-lines", "0.1", "--out", events, "--lines-per-file", "1000");

        Assert.Equal(0, code);
        var files = Directory.GetFiles(events, "synthetic-*.jsonl", SearchOption.AllDirectories);
        Assert.True(files.Length >= 3, $"{files.Length} files");
        Assert.True(File.Exists(Path.Combine(_root, "store", "catalog", "items.jsonl")));
        Assert.Contains("wrote 3,000 events + ", output, StringComparison.Ordinal);
        Assert.Contains("malformed lines by reason: bad-timestamp ", output, StringComparison.Ordinal);
        var reader = new EventFileReader(new EventTypeOptions());
        var accepted = files.Sum(f =>
        {
            using var stream = File.OpenRead(f);
            return reader.Read(stream, f, EventFileFormat.JsonLines, new NullSink()).Accepted;
        });
        Assert.Equal(3000, accepted);
    }

    [Fact]
    public async Task Generate_ExistingSyntheticFilesWithoutForce_FailsAndWithForceReplaces()
    {
        var events = Path.Combine(_root, "events");
        Assert.Equal(0, (await RunAsync("generate", "--events", "100", "--out", events)).Code);

        var (code, _, error) = await RunAsync("generate", "--events", "100", "--out", events);
        var forced = await RunAsync("generate", "--events", "100", "--out", events, "--force", "--gzip");

        Assert.Equal(2, code);
        Assert.Contains("--force", error, StringComparison.Ordinal);
        Assert.Equal(0, forced.Code);
        Assert.All(Directory.GetFiles(events, "*", SearchOption.AllDirectories), f => Assert.EndsWith(".jsonl.gz", f, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Generate_SingleGzipFile_WritesFileAndCatalogNextToIt()
    {
        var file = Path.Combine(_root, "out", "log.jsonl.gz");

        var (code, _, _) = await RunAsync("generate", "--events", "500", "--out", file);

        Assert.Equal(0, code);
        Assert.Equal([0x1F, 0x8B], File.ReadAllBytes(file)[..2]);
        Assert.True(File.Exists(Path.Combine(_root, "out", "items.jsonl")));
    }

    [Fact]
    public async Task Import_FileWithBadLines_WritesEventsAndQuarantinesRejectedLines()
    {
        var file = Path.Combine(_root, "drop.jsonl");
        await File.WriteAllTextAsync(file, """
            {"userId":"u1","itemId":"i1","type":"view","timestamp":"2026-11-28T10:15:00Z"}
            {"userId":"u1","itemId":"i2","type":"view","timestamp":"yesterday"}
            {"userId":"u2","itemId":"i1","type":"like","timestamp":1795860900}
            """);
        var events = Path.Combine(_root, "store", "events");

        var (code, output, _) = await RunAsync("import", "--file", file, "--out", events);

        Assert.Equal(0, code);
        Assert.Contains("3 lines, 2 accepted, 1 rejected", output, StringComparison.Ordinal);
        Assert.Contains("rejected by reason: bad-timestamp 1", output, StringComparison.Ordinal);
        var written = Assert.Single(Directory.GetFiles(events, "*.jsonl", SearchOption.AllDirectories));
        Assert.Equal(2, File.ReadAllLines(written).Length);
        var quarantined = Assert.Single(Directory.GetFiles(Path.Combine(_root, "store", "quarantine"), "*.jsonl", SearchOption.AllDirectories));
        Assert.Contains("\"reason\":\"bad-timestamp\"", await File.ReadAllTextAsync(quarantined), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Import_MovieLensRatingsWithMovies_WritesRatingEventsAndCatalog()
    {
        var ratings = Path.Combine(_root, "ratings.csv");
        var movies = Path.Combine(_root, "movies.csv");
        await File.WriteAllTextAsync(ratings, "userId,movieId,rating,timestamp\n1,1,4.0,964982703\n1,3,4.5,964981247\n");
        await File.WriteAllTextAsync(movies, "movieId,title,genres\n1,Toy Story (1995),Adventure|Animation\n3,\"Grumpier Old Men, The (1995)\",(no genres listed)\n");
        var events = Path.Combine(_root, "store", "events");

        var (code, output, _) = await RunAsync("import", "--file", ratings, "--format", "movielens", "--catalog", movies, "--out", events);

        Assert.Equal(0, code);
        Assert.Contains("2 accepted, 0 rejected", output, StringComparison.Ordinal);
        Assert.Contains("catalog: 2 items, 0 rejected", output, StringComparison.Ordinal);
        var line = File.ReadAllLines(Assert.Single(Directory.GetFiles(events, "*.jsonl", SearchOption.AllDirectories)))[0];
        Assert.Equal("""{"userId":"1","itemId":"1","type":"rating","timestamp":"2000-07-30T18:45:03Z","value":4}""", line);
        var catalog = await File.ReadAllLinesAsync(Path.Combine(_root, "store", "catalog", "items.jsonl"));
        Assert.Equal("""{"itemId":"3","title":"Grumpier Old Men, The (1995)","categories":[],"tags":[],"available":true}""", catalog[1]);
    }

    [Fact]
    public async Task Import_TsvWithColumnOptions_MapsTheColumns()
    {
        var file = Path.Combine(_root, "clicks.tsv");
        await File.WriteAllTextAsync(file, "who\twhat\twhen\n" + "v1\tsku-9\t1795860900123\n", Encoding.UTF8);
        var events = Path.Combine(_root, "events");

        var (code, output, error) = await RunAsync("import", "--file", file, "--user-column", "who", "--item-column", "what", "--timestamp-column", "when", "--timestamp-format", "unix-ms", "--type", "click", "--value-column", "none", "--out", events);

        Assert.True(code == 0, error);
        Assert.Contains("1 accepted", output, StringComparison.Ordinal);
        Assert.Contains("\"type\":\"click\",\"timestamp\":\"2026-11-28T10:15:00.123Z\"", File.ReadAllText(Assert.Single(Directory.GetFiles(events, "*.jsonl", SearchOption.AllDirectories))), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Import_CsvHeaderMismatch_FailsNamingColumnAndFileWithHint()
    {
        var file = Path.Combine(_root, "ratings.csv");
        await File.WriteAllTextAsync(file, "userId,movieId,rating,timestamp\n1,1,4.0,964982703\n");

        var (code, _, error) = await RunAsync("import", "--file", file, "--out", Path.Combine(_root, "events"));

        Assert.Equal(1, code);
        Assert.Contains("ratings.csv: the item column \"itemId\" is not in the header", error, StringComparison.Ordinal);
        Assert.Contains("--format movielens", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--format", "xml")]
    [InlineData("--format", "jsonl", "--user-column", "u")]
    [InlineData("--type", "view", "--type-column", "kind")]
    [InlineData("--timestamp-format", "julian")]
    public async Task Import_BadOptions_ReturnsUsageError(params string[] options)
    {
        var file = Path.Combine(_root, "e.csv");
        await File.WriteAllTextAsync(file, "userId,itemId,type,timestamp,value\n");

        var (code, _, _) = await RunAsync(["import", "--file", file, .. options]);

        Assert.Equal(2, code);
    }

    private static async Task<(int Code, string Output, string Error)> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await CliApplication.RunAsync(args, output, error);
        return (code, output.ToString(), error.ToString());
    }

    private sealed class NullSink : IEventSink
    {
        public void OnEvent(in InteractionEvent e)
        {
        }

        public void OnRejected(RejectedLine line)
        {
        }
    }
}
