using System.Text.Json;

namespace ServerlessRec.Cli.Tests.Commands;

public sealed class EvaluateCommandTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), $"serverlessrec-eval-{Guid.NewGuid():N}");

    public EvaluateCommandTests() => Directory.CreateDirectory(_root);

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task Evaluate_GeneratedLogWithBadLines_WritesModelAndPopularityMetricsAsJson()
    {
        var log = Path.Combine(_root, "log.jsonl");
        var json = Path.Combine(_root, "out.json");
        Assert.Equal(0, (await RunAsync("generate", "--users", "300", "--items", "200", "--events", "9000", "--seed", "2", "--bad-lines", "0.02", "--out", log)).Code);

        var (code, output, error) = await RunAsync("evaluate", "--data", log, "--format", "jsonl", "--epochs", "3", "--dim", "16", "--hidden", "32", "--negatives", "64", "--json", json, "--root", Path.Combine(_root, "store"));

        Assert.True(code == 0, error);
        Assert.Contains("rejected", output, StringComparison.Ordinal);
        Assert.Contains("epoch   1: loss", output, StringComparison.Ordinal);
        using var document = JsonDocument.Parse(await File.ReadAllTextAsync(json));
        var model = document.RootElement.GetProperty("model").GetProperty("ndcg@10").GetDouble();
        var popularity = document.RootElement.GetProperty("popularity").GetProperty("ndcg@10").GetDouble();
        Assert.True(model > popularity, $"model {model}, popularity {popularity}");
        Assert.NotEmpty(Directory.GetFiles(Path.Combine(_root, "store", "quarantine"), "*.jsonl", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task Evaluate_TwoSeeds_ReportsEachSeedsValidationScoreAndTheirMean()
    {
        var log = Path.Combine(_root, "log.jsonl");
        var json = Path.Combine(_root, "out.json");
        Assert.Equal(0, (await RunAsync("generate", "--users", "200", "--items", "100", "--events", "4000", "--seed", "3", "--out", log)).Code);

        var (code, output, error) = await RunAsync("evaluate", "--data", log, "--format", "jsonl", "--seeds", "2", "--epochs", "2", "--dim", "8", "--hidden", "16", "--negatives", "16", "--json", json, "--root", Path.Combine(_root, "store"));

        // Settings are compared on VALIDATION, so every seed's tuned VALIDATION score and their mean must be reported.
        Assert.True(code == 0, error);
        Assert.Contains("mean over 2 seeds: VALIDATION NDCG@10 two-tower", output, StringComparison.Ordinal);
        using var document = JsonDocument.Parse(await File.ReadAllTextAsync(json));
        var seeds = document.RootElement.GetProperty("seeds").EnumerateArray().ToList();
        Assert.Equal(2, seeds.Count);
        var validation = seeds.Select(s => s.GetProperty("validation").GetProperty("model").GetProperty("ndcg@10").GetDouble()).ToList();
        Assert.All(validation, v => Assert.InRange(v, 1e-9, 1.0));
        Assert.All(seeds, s => Assert.True(s.GetProperty("trainingExamplesPerSecond").GetDouble() > 0));
        Assert.Equal(validation.Average(), document.RootElement.GetProperty("meanModelValidationNdcgAt10").GetDouble(), 12);
    }

    [Fact]
    public async Task Evaluate_MissingFile_FailsWithAMessageAndNoStackTrace()
    {
        var (code, _, error) = await RunAsync("evaluate", "--data", Path.Combine(_root, "nope.csv"));

        Assert.Equal(2, code);
        Assert.Contains("does not exist", error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Evaluate_MisspeltOption_IsRejected()
    {
        var (code, _, error) = await RunAsync("evaluate", "--data", "x.csv", "--epoch", "3");

        Assert.Equal(2, code);
        Assert.Contains("unknown option: --epoch", error, StringComparison.Ordinal);
    }

    private static async Task<(int Code, string Output, string Error)> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await CliApplication.RunAsync(args, output, error);
        return (code, output.ToString(), error.ToString());
    }
}
