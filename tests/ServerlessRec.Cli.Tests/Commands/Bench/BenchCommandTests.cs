using System.Globalization;
using System.Text;
using System.Text.Json;

namespace ServerlessRec.Cli.Tests.Commands.Bench;

/// <summary>Every suite end to end through the CLI at a tiny size: it runs and writes its JSON and Markdown (no timing is asserted).</summary>
public sealed class BenchCommandTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), $"serverlessrec-bench-{Guid.NewGuid():N}");

    public BenchCommandTests() => Directory.CreateDirectory(_root);

    private string Out => Path.Combine(_root, "out");

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task Bench_Serving_WritesReportsAndCombinedReport()
    {
        var (code, output, error) = await RunAsync("bench", "serving", "--items", "1000", "--queries", "10", "--calls", "20", "--out", Out);

        Assert.True(code == 0, error);
        AssertReport("serving", "recall@10");
        Assert.Contains("| items |", output, StringComparison.Ordinal);
        Assert.Contains("## bench serving", await File.ReadAllTextAsync(Path.Combine(Out, "bench-report.md")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bench_Serving_ParallelCompressedScan_IsAlsoMeasuredOnOneThreadAndJudgedThere()
    {
        // 17,000 × 1,024 int8 codes are over the 16 MB from which the scan runs on every core; int4's half is not.
        var (code, _, error) = await RunAsync("bench", "serving", "--items", "17000", "--dim", "1024", "--queries", "10", "--calls", "20", "--out", Out);

        Assert.True(code == 0, error);
        using var json = AssertReport("serving", "both on 1 thread");
        var scan = json.RootElement.GetProperty("Catalogs")[0].GetProperty("Scan");
        Assert.Equal(10, scan.GetProperty("Int8OneThreadMs").GetProperty("Count").GetInt32());
        Assert.Equal(JsonValueKind.Null, scan.GetProperty("Int4OneThreadMs").ValueKind);
        var oneThread = scan.GetProperty("ExactMs").GetProperty("P50").GetDouble() / scan.GetProperty("Int8OneThreadMs").GetProperty("P50").GetDouble();
        Assert.Equal(oneThread, scan.GetProperty("SpeedupOneThread").GetDouble(), 6);
        var markdown = File.ReadAllText(Path.Combine(Out, "bench-serving.md"));
        Assert.Contains(string.Create(CultureInfo.InvariantCulture, $"1 thread: int8 {oneThread:F1}×"), markdown, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bench_Catalog_MeasuresPutThroughputAndSearchBesideDeltasOf1And10Percent()
    {
        var (code, _, error) = await RunAsync("bench", "catalog", "--items", "2000", "--dimensions", "16", "--queries", "100", "--out", Out);

        Assert.True(code == 0, error);
        using var json = AssertReport("catalog", "items/s");
        var markdown = File.ReadAllText(Path.Combine(Out, "bench-catalog.md"));
        Assert.Contains("| 1 % | no filter |", markdown, StringComparison.Ordinal);
        Assert.Contains("| 10 % | one category |", markdown, StringComparison.Ordinal);
        Assert.Contains("Target search beside a 10% delta", markdown, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bench_Ingest_ReadsAGeneratedLogOnOneAndAllThreads()
    {
        var (code, _, error) = await RunAsync("bench", "ingest", "--events", "20000", "--repeats", "1", "--cache", Path.Combine(_root, "cache"), "--out", Out);

        Assert.True(code == 0, error);
        using var json = AssertReport("ingest", "events/s/core");
        var modes = json.RootElement.GetProperty("Modes");
        Assert.Equal(1, modes[0].GetProperty("Threads").GetInt32());
        Assert.All(modes.EnumerateArray(), m => Assert.Equal(20_000, m.GetProperty("Accepted").GetInt64()));
        Assert.True(modes[0].GetProperty("Rejected").GetInt64() > 0, "the generated bad lines are rejected, not dropped");
    }

    [Fact]
    public async Task Bench_Ingest_SecondRun_ReusesTheCachedLog()
    {
        string[] args = ["bench", "ingest", "--events", "5000", "--repeats", "1", "--cache", Path.Combine(_root, "cache"), "--out", Out];
        Assert.Equal(0, (await RunAsync(args)).Code);

        var (code, output, _) = await RunAsync(args);

        Assert.Equal(0, code);
        Assert.Contains("reusing the 5,000-event log", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bench_Train_PlateauAndSampledSizesAndMovieLens()
    {
        var ratings = WriteMovieLens(users: 40, ratingsPerUser: 15, movies: 60);

        var (code, output, error) = await RunAsync("bench", "train", "--sizes", "3000,6000", "--plateau-max-events", "4000", "--sample-examples", "1000", "--max-epochs", "2", "--movielens", ratings, "--cache", Path.Combine(_root, "cache"), "--out", Out);

        Assert.True(code == 0, error);
        using var json = AssertReport("train", "examples/s");
        var results = json.RootElement.GetProperty("Results");
        Assert.Equal(3, results.GetArrayLength());
        Assert.Equal("ml-latest-small", results[0].GetProperty("Data").GetString());
        Assert.True(results[1].GetProperty("PlateauSeconds").GetDouble() > 0);
        Assert.Equal(JsonValueKind.Null, results[2].GetProperty("PlateauSeconds").ValueKind);
        Assert.True(results[2].GetProperty("ExtrapolatedEpochSeconds").GetDouble() > 0);
        Assert.Contains("EXTRAPOLATED", output, StringComparison.Ordinal);

        // The verdict times what retraining does: the patience epochs, each epoch's validation and the gate's
        // evaluation, not only the epochs up to the best one. The gate ranks Training:GateUsers users (here fewer
        // exist, so all) three times: the candidate, then the live model and the candidate on fresh users.
        var plateauRun = results[1];
        var gateUsers = new ServerlessRec.Training.TwoTowerOptions().GateUsers;
        foreach (var row in new[] { results[1], results[2] })
        {
            var gate = row.GetProperty("Gate");
            var users = row.GetProperty("Users").GetInt32();
            Assert.True(users < gateUsers);
            Assert.InRange(gate.GetProperty("Users").GetInt32(), (users / 2) + 1, users);
            Assert.Equal(3L * gate.GetProperty("Users").GetInt32(), gate.GetProperty("Rankings").GetInt64());
        }

        Assert.True(plateauRun.GetProperty("RetrainSeconds").GetDouble() >= plateauRun.GetProperty("TrainSeconds").GetDouble() + plateauRun.GetProperty("GateEvaluationSeconds").GetDouble() - 1e-9);
        var sampled = results[2];
        var patience = new ServerlessRec.Training.TwoTowerOptions().Patience;
        var expected = ((plateauRun.GetProperty("BestEpoch").GetInt32() + patience) * (sampled.GetProperty("ExtrapolatedEpochSeconds").GetDouble() + plateauRun.GetProperty("ValidationSecondsPerEpoch").GetDouble()))
            + sampled.GetProperty("GateEvaluationSeconds").GetDouble();
        Assert.Equal(expected, sampled.GetProperty("RetrainSeconds").GetDouble(), 6);
        Assert.Contains("as retraining s", File.ReadAllText(Path.Combine(Out, "bench-train.md")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bench_Train_MissingMovieLens_IsSkippedWithANote()
    {
        var (code, output, error) = await RunAsync("bench", "train", "--sizes", "3000", "--max-epochs", "1", "--movielens", Path.Combine(_root, "none.csv"), "--cache", Path.Combine(_root, "cache"), "--out", Out);

        Assert.True(code == 0, error);
        Assert.Contains("MovieLens skipped", output, StringComparison.Ordinal);
        AssertReport("train", "MovieLens skipped").Dispose();
    }

    [Fact]
    public async Task Bench_ServeHttp_LoadsTheLocalHostWithAndWithoutExplain()
    {
        var (code, _, error) = await RunAsync("bench", "serve-http", "--http-items", "500", "--http-users", "40", "--requests", "100", "--concurrency", "4", "--out", Out);

        Assert.True(code == 0, error);
        using var json = AssertReport("serve-http", "p99.9 ms");
        var runs = json.RootElement.GetProperty("Runs");
        Assert.Equal(2, runs.GetArrayLength());
        Assert.True(runs[1].GetProperty("Explain").GetBoolean());
        Assert.Equal(100, runs[0].GetProperty("LatencyMs").GetProperty("Count").GetInt32());
    }

    [Fact]
    public async Task Bench_Soak_MixedLoadForEveryRound_HasNoFailedRequests()
    {
        var (code, _, error) = await RunAsync("bench", "soak", "--soak-items", "500", "--soak-users", "40", "--rounds", "3", "--round-requests", "200", "--soak-concurrency", "4", "--out", Out);

        Assert.True(code == 0, error);
        using var json = AssertReport("soak", "working set MB");
        var rounds = json.RootElement.GetProperty("Rounds");
        Assert.Equal(3, rounds.GetArrayLength());
        Assert.All(rounds.EnumerateArray(), r => Assert.Equal(200, r.GetProperty("Requests").GetInt32()));
        Assert.Equal(0, json.RootElement.GetProperty("Errors").GetInt32());
    }

    [Fact]
    public async Task Bench_Index_GeneratedVectors_ReportsRecall()
    {
        var (code, _, error) = await RunAsync("bench", "index", "--index-items", "2000", "--dim", "16", "--index-queries", "20", "--out", Out);

        Assert.True(code == 0, error);
        using var json = AssertReport("index", "IVF recall@10");
        var scan = json.RootElement.GetProperty("Results")[0].GetProperty("Scan");
        Assert.InRange(scan.GetProperty("Recall").GetDouble(), 0.5, 1.0);
        foreach (var percentile in new[] { "P50", "P99", "P999", "Mean", "Max" })
        {
            Assert.True(scan.GetProperty("IvfMs").GetProperty(percentile).GetDouble() > 0, percentile);
        }

        Assert.InRange(scan.GetProperty("IvfRecall").GetDouble(), 0.5, 1.0);
        Assert.InRange(scan.GetProperty("IvfNprobe").GetInt32(), 1, scan.GetProperty("IvfLists").GetInt32());
    }

    [Fact]
    public async Task Bench_Index_Model_UsesTheItemVectorsHeldOutItemsAndStoredUsers()
    {
        var root = Path.Combine(_root, "store");
        var store = new ServerlessRec.Storage.LocalFolderBlobStore(new ServerlessRec.Storage.StorageOptions { LocalRoot = root });
        var options = new ServerlessRec.Training.TwoTowerOptions { Dimensions = 16, HiddenDimensions = 16, HistoryLength = 10 };
        var builder = new ServerlessRec.Training.InteractionDatasetBuilder(new ServerlessRec.Events.EventTypeOptions(), options.FeatureBuckets);
        for (var i = 0; i < 2_000; i++)
        {
            builder.AddItemFeatures($"i{i}", [$"c{i % 20}"]);
        }

        var histories = new ServerlessRec.Serving.UserHistoryStore(store);
        var start = new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);
        for (var u = 0; u < 12; u++)
        {
            var events = Enumerable.Range(0, 4).Select(e => new ServerlessRec.Events.InteractionEvent($"u{u}", $"i{(u * 50) + e}", "view", start.AddMinutes((u * 10) + e))).ToList();
            events.ForEach(e => builder.Add(e));
            await histories.AppendAsync($"u{u}", events.Select(e => new ServerlessRec.Serving.HistoryEvent { ItemId = e.ItemId, Type = e.Type, Timestamp = e.Timestamp }).ToList());
        }

        var data = builder.Build();
        var model = new ServerlessRec.Training.TwoTowerModel(data.ItemCount, data.FeatureBuckets, 16, 16, seed: 3);
        await ServerlessRec.Onnx.ModelExporter.Export(model, data, options, new ServerlessRec.Events.EventTypeOptions(), "v7", start).WriteAsync(store);
        await ServerlessRec.Serving.ModelPointer.WriteAsync(store, new ServerlessRec.Serving.ModelPointer { Version = "v7", ActivatedAt = start }, expectedETag: null);

        var (code, _, error) = await RunAsync("bench", "index", "--model", "--root", root, "--index-queries", "20", "--out", Out);

        Assert.True(code == 0, error);
        using var json = AssertReport("index", "model v7");
        var result = json.RootElement.GetProperty("Results")[0];
        Assert.Equal(10, result.GetProperty("ItemQueries").GetInt32());
        Assert.Equal(10, result.GetProperty("UserQueries").GetInt32());
        Assert.Equal(1_990, result.GetProperty("Scan").GetProperty("Items").GetInt32());
        Assert.True(result.GetProperty("Scan").TryGetProperty("IvfRecall", out _));
    }

    [Fact]
    public async Task Bench_Index_GivenFiles_AreReadWithTheirDimension()
    {
        var random = new Random(3);
        var vectors = Path.Combine(_root, "base.fbin");
        var queries = Path.Combine(_root, "q.fvecs");
        ServerlessRec.Cli.Commands.Bench.VectorFile.Write(vectors, 8, Enumerable.Range(0, 8 * 500).Select(_ => random.NextSingle() - 0.5f).ToArray());
        ServerlessRec.Cli.Commands.Bench.VectorFile.Write(queries, 8, Enumerable.Range(0, 8 * 10).Select(_ => random.NextSingle() - 0.5f).ToArray());

        var (code, _, error) = await RunAsync("bench", "index", "--vectors", vectors, "--queries", queries, "--k", "5", "--out", Out);

        Assert.True(code == 0, error);
        using var json = AssertReport("index", "recall@5");
        var result = json.RootElement.GetProperty("Results")[0];
        Assert.Equal(8, result.GetProperty("Dimensions").GetInt32());
        Assert.Equal(500, result.GetProperty("Scan").GetProperty("Items").GetInt32());
    }

    [Fact]
    public async Task Bench_Retrain_ImportsMovieLensAndReportsStepTimes()
    {
        var ratings = WriteMovieLens(users: 40, ratingsPerUser: 15, movies: 60);

        var (code, _, error) = await RunAsync("bench", "retrain", "--movielens", ratings, "--out", Out);

        Assert.True(code == 0, error);
        using var json = AssertReport("retrain", "whole run (wall)");
        Assert.Equal("activated", json.RootElement.GetProperty("Outcome").GetString());
        Assert.True(json.RootElement.GetProperty("StepSeconds").EnumerateObject().Any());
    }

    [Fact]
    public async Task Bench_EventLog_EveryAcknowledgedAppendIsReadBack()
    {
        var (code, _, error) = await RunAsync("bench", "eventlog", "--appends", "300", "--concurrency", "8", "--out", Out);

        Assert.True(code == 0, error);
        using var json = AssertReport("eventlog", "Target every acknowledged event is in the log: **met**");
        Assert.Equal(301, json.RootElement.GetProperty("Blobs").EnumerateArray().Sum(b => b.GetProperty("Lines").GetInt64()));
    }

    [Fact]
    public async Task Bench_UnknownSuite_ExitsWithUsageError()
    {
        var (code, _, error) = await RunAsync("bench", "ingest", "nope", "--out", Out);

        Assert.Equal(2, code);
        Assert.Contains("unknown benchmark suite \"nope\"", error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Out));
    }

    [Fact]
    public async Task Bench_OptionOnlyAnotherSuiteReads_ExitsWithUsageError()
    {
        // --dim is serving's, serving-memory's and index's: ingest would ignore it, so it is refused as before the port.
        var (code, _, error) = await RunAsync("bench", "ingest", "--events", "5000", "--repeats", "1", "--cache", Path.Combine(_root, "cache"), "--dim", "16", "--out", Out);

        Assert.Equal(2, code);
        Assert.Contains("unknown option: --dim", error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Out));
    }

    [Fact]
    public async Task Bench_MisspeltOption_ExitsWithUnknownOptionNotUnknownSuite()
    {
        var (code, _, error) = await RunAsync("bench", "ingest", "--evnets", "5000", "--out", Out);

        Assert.Equal(2, code);
        Assert.Contains("unknown option: --evnets", error, StringComparison.Ordinal);
        Assert.DoesNotContain("benchmark suite", error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Out));
    }

    [Theory]
    [InlineData("catalog", "--k must be between 1 and 100, got 500.")]
    [InlineData("index", "--k must be between 1 and 1000, got 5000.")]
    public async Task Bench_SharedOptionOutOfTheSuitesRange_ExitsWithUsageError(string suite, string message)
    {
        var (code, _, error) = await RunAsync("bench", suite, "--k", suite == "catalog" ? "500" : "5000", "--out", Out);

        Assert.Equal(2, code);
        Assert.Contains(message, error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Out));
    }

    [Fact]
    public async Task Bench_TrainMaxEpochsOutsideTheTrainingRange_NamesTheTrainingSetting()
    {
        // --max-epochs is Training:Epochs: its range is the options class's DataAnnotations, not a copy in the bench.
        var (code, _, error) = await RunAsync("bench", "train", "--max-epochs", "0", "--out", Out);

        Assert.Equal(2, code);
        Assert.Contains("--max-epochs must be between 1 and 10000, got 0 (Training:Epochs).", error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Out));
    }

    [Fact]
    public async Task Bench_Help_ListsEachSuitesOptionsOnce()
    {
        var (code, output, _) = await RunAsync("bench", "--help");

        Assert.Equal(0, code);
        foreach (var option in new[] { "--items", "--dim", "--queries", "--k", "--calls", "--concurrency", "--movielens", "--cache", "--rounds", "--max-epochs" })
        {
            Assert.Single(output.Split('\n'), line => line.TrimStart().StartsWith(option + " <", StringComparison.Ordinal));
        }

        Assert.DoesNotContain("--measure-store", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bench_Help_NamesTheSuitesAndTheDefaultRun()
    {
        var (code, output, _) = await RunAsync("bench", "--help");

        Assert.Equal(0, code);
        Assert.Contains("serving|ingest|train|serve-http|index|retrain|soak|eventlog|serving-memory|catalog|recommend", output, StringComparison.Ordinal);
        Assert.Contains("(not train or soak or eventlog or serving-memory or catalog or recommend: they take longest)", output, StringComparison.Ordinal);
    }

    private JsonDocument AssertReport(string suite, string markdownContains)
    {
        var markdown = File.ReadAllText(Path.Combine(Out, $"bench-{suite}.md"));
        Assert.Contains($"## bench {suite}", markdown, StringComparison.Ordinal);
        Assert.Contains(markdownContains, markdown, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(Out, "bench-report.md")));
        return JsonDocument.Parse(File.ReadAllText(Path.Combine(Out, $"bench-{suite}.json")));
    }

    /// <summary>A MovieLens-format ratings.csv (userId,movieId,rating,timestamp) where users follow one of two movie groups.</summary>
    private string WriteMovieLens(int users, int ratingsPerUser, int movies)
    {
        var random = new Random(9);
        var csv = new StringBuilder("userId,movieId,rating,timestamp\n");
        for (var u = 1; u <= users; u++)
        {
            var group = u % 2;
            foreach (var m in Enumerable.Range(0, movies / 2).OrderBy(_ => random.Next()).Take(ratingsPerUser))
            {
                csv.Append(CultureInfo.InvariantCulture, $"{u},{1 + (group * (movies / 2)) + m},{1 + random.Next(5)}.0,{1_600_000_000 + (u * 1000) + csv.Length}\n");
            }
        }

        var path = Path.Combine(_root, "ml", "ratings.csv");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, csv.ToString());
        return path;
    }

    private static async Task<(int Code, string Output, string Error)> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await CliApplication.RunAsync(args, output, error);
        return (code, output.ToString(), error.ToString());
    }
}
