using System.Text.Json;
using ServerlessRec.Cli.Commands.Simulate;

namespace ServerlessRec.Cli.Tests.Commands.Simulate;

public sealed class SimulateOnlineCommandTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "simulate-online-tests-" + Guid.NewGuid().ToString("N"));

    public SimulateOnlineCommandTests() => Directory.CreateDirectory(_root);

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task SimulateOnline_TinyRun_WritesTheDocumentedJsonShape()
    {
        var json = Path.Combine(_root, "online.json");

        var (code, error) = await RunAsync("--json", json);

        Assert.True(code == 0, error);
        using var document = JsonDocument.Parse(await File.ReadAllTextAsync(json));
        var summary = document.RootElement.GetProperty("summary");
        foreach (var arm in new[] { "popularity", "two-tower", "two-tower+diversity", "two-tower+exploration" })
        {
            var metrics = summary.GetProperty(arm);
            Assert.InRange(metrics.GetProperty("ctr").GetDouble(), 0, 1);
            Assert.InRange(metrics.GetProperty("exposureGini").GetDouble(), 0, 1);
            Assert.InRange(metrics.GetProperty("coverage").GetDouble(), 0, 1);
        }

        var ab = summary.GetProperty("ab");
        foreach (var test in new[] { "configurations", "identical", "knownLift" })
        {
            Assert.Contains(ab.GetProperty(test).GetProperty("verdict").GetString(), new[] { "better", "worse", "inconclusive" });
            Assert.True(ab.GetProperty(test).GetProperty("low").GetDouble() <= ab.GetProperty(test).GetProperty("high").GetDouble());
        }

        var days = document.RootElement.GetProperty("days");
        Assert.Equal(2, days.GetArrayLength());
        Assert.True(days[1].GetProperty("arms").GetProperty("two-tower").GetProperty("impressions").GetInt64() > 0);
    }

    [Fact]
    public async Task SimulateOnline_SameSeedTwice_GivesTheSameSummary()
    {
        var first = Path.Combine(_root, "first.json");
        var second = Path.Combine(_root, "second.json");

        Assert.Equal(0, (await RunAsync("--json", first)).Code);
        Assert.Equal(0, (await RunAsync("--json", second)).Code);

        using var a = JsonDocument.Parse(await File.ReadAllTextAsync(first));
        using var b = JsonDocument.Parse(await File.ReadAllTextAsync(second));
        Assert.Equal(a.RootElement.GetProperty("summary").GetRawText(), b.RootElement.GetProperty("summary").GetRawText());
        Assert.Equal(a.RootElement.GetProperty("days").GetRawText(), b.RootElement.GetProperty("days").GetRawText());
    }

    [Fact]
    public void Probability_SameItemAtPosition0And9_ClicksMoreAtTheTop()
    {
        var model = new OnlineClickModel();
        var random = new Random(3);
        int top = 0, bottom = 0;
        for (var i = 0; i < 20_000; i++)
        {
            top += random.NextDouble() < model.Probability(1.0, 0, 0) ? 1 : 0;
            bottom += random.NextDouble() < model.Probability(1.0, 9, 0) ? 1 : 0;
        }

        Assert.True(top > 2 * bottom, $"top {top}, bottom {bottom}");
        Assert.True(model.Probability(1.0, 0, 2) < model.Probability(1.0, 0, 0));
    }

    [Fact]
    public void Compare_ChallengerWithATenPercentLift_IsBetter()
    {
        var random = new Random(5);
        var control = Traffic(random, 9000, 0.10);
        var challenger = Traffic(random, 1000, 0.11);

        var result = AbVerdict.Compare("a", control, "b", challenger);

        Assert.Equal("better", result.Verdict);
        Assert.True(result.Low > 0 && result.Low < result.Difference && result.Difference < result.High);
        Assert.Equal("worse", AbVerdict.Compare("b", challenger, "a", control).Verdict);
    }

    [Fact]
    public void Compare_IdenticalArms_IsInconclusive()
    {
        var random = new Random(5);
        var control = Traffic(random, 9000, 0.10);
        var challenger = Traffic(random, 1000, 0.10);

        var result = AbVerdict.Compare("a", control, "a", challenger);

        Assert.Equal("inconclusive", result.Verdict);
        Assert.True(result.Low < 0 && result.High > 0);
    }

    private static AbArmTraffic Traffic(Random random, int users, double ctr)
    {
        var rows = new List<(long, long)>();
        for (var u = 0; u < users; u++)
        {
            long clicks = 0;
            for (var i = 0; i < 200; i++)
            {
                clicks += random.NextDouble() < ctr ? 1 : 0;
            }

            rows.Add((clicks, 200));
        }

        return new AbArmTraffic(rows);
    }

    private static async Task<(int Code, string Error)> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await CliApplication.RunAsync(["simulate-online", "--users", "60", "--items", "40", "--days", "2", "--epochs", "1", "--exploration", "0,0.2", .. args], output, error);
        return (code, error.ToString() + output);
    }
}
