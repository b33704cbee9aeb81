using System.Text.Json;
using ServerlessRec.Cli.Commands.Simulate;
using ServerlessRec.Training;

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
        Assert.Equal(0.1, ab.GetProperty("challengerShare").GetDouble());
        Assert.Equal(60, ab.GetProperty("users").GetInt32());
        foreach (var test in new[] { "better", "identical" })
        {
            var result = ab.GetProperty(test);
            Assert.Contains(result.GetProperty("verdict").GetString(), new[] { "better", "worse", "inconclusive" });
            Assert.True(result.GetProperty("low").GetDouble() <= result.GetProperty("high").GetDouble());
            Assert.True(result.GetProperty("controlUsers").GetInt32() > 0);
            Assert.True(result.TryGetProperty("trueLift", out _));
            Assert.True(result.TryGetProperty("minimumDetectableLift", out _));
        }

        Assert.Equal(0, ab.GetProperty("identical").GetProperty("trueLift").GetDouble());

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
    public async Task RunServedAb_ChallengerShare_ArmsAreTheVisitorsWhoseKeyedBucketIsBelowIt()
    {
        var hasher = OnlineSimulation.Hasher(7);
        foreach (var share in new[] { 0.1, 0.5 })
        {
            var world = new OnlineSimulation(TinyWorld() with { ChallengerShare = share });
            await world.InitialiseAsync(CancellationToken.None);
            var config = SmallConfig();

            var run = await world.RunServedAbAsync(new AbSpec("identical", "a", config, "a", config), 0);

            var visitors = Enumerable.Range(0, 80).Where(u => world.Visits(1, u)).ToList();
            Assert.Equal(visitors.Count(u => hasher.Bucket(OnlineSimulation.UserIdOf(u)) < share), run.ChallengerUsers);
            Assert.Equal(visitors.Count, run.ControlUsers + run.ChallengerUsers);
            Assert.Equal(share, run.Share);
        }
    }

    [Fact]
    public async Task RunServedAb_IdenticalConfigurations_IsInconclusiveWithNoTrueLift()
    {
        var world = new OnlineSimulation(TinyWorld() with { ChallengerShare = 0.5 });
        await world.InitialiseAsync(CancellationToken.None);
        var config = SmallConfig();

        var run = await world.RunServedAbAsync(new AbSpec("identical", "a", config, "a", config), 0);

        Assert.Equal("inconclusive", run.Verdict);
        Assert.True(run.ControlUsers > 0 && run.ChallengerUsers > 0);
        Assert.Equal(0, run.TrueLift);
        Assert.True(run.ServedListsMatchingTheTrainer > 0.9, $"served lists matching the trainer's: {run.ServedListsMatchingTheTrainer}");
    }

    [Fact]
    public async Task RunServedAb_ClearlyWorseChallenger_IsWorse()
    {
        var world = new OnlineSimulation(new OnlineSimulationOptions { Users = 400, Items = 200, Days = 2, Seed = 7, ChallengerShare = 0.5 });
        await world.InitialiseAsync(CancellationToken.None);
        var control = SmallConfig();
        control.Epochs = 3;
        var worse = SimulateOnlineCommand.ParseConfiguration("dim=2,hidden=2,epochs=1,negatives=1", control);

        var run = await world.RunServedAbAsync(new AbSpec("worse", "good", control, "bad", worse), 0);

        Assert.True(run.TrueLift < 0, $"true lift {run.TrueLift}");
        Assert.Equal("worse", run.Verdict);
    }

    [Fact]
    public void ParseConfiguration_UnknownSetting_IsAUsageError()
    {
        var baseline = SmallConfig();

        var parsed = SimulateOnlineCommand.ParseConfiguration("dim=4, epochs=2", baseline);

        Assert.Equal((4, 2, 16), (parsed.Dimensions, parsed.Epochs, baseline.Dimensions));
        Assert.Throws<CliUsageException>(() => SimulateOnlineCommand.ParseConfiguration("depth=3", baseline));
        Assert.Throws<CliUsageException>(() => SimulateOnlineCommand.ParseConfiguration("dim=0", baseline));
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

    private static OnlineSimulationOptions TinyWorld() => new() { Users = 80, Items = 40, Days = 1, Seed = 7 };

    private static TwoTowerOptions SmallConfig() => new() { Dimensions = 16, HiddenDimensions = 16, SampledNegatives = 16, Epochs = 1, HistoryLength = 20, Seed = 7, Threads = 1 };

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
        var code = await CliApplication.RunAsync(["simulate-online", "--users", "60", "--items", "40", "--days", "2", "--epochs", "1", "--exploration", "0,0.2", "--ab-users", "60", "--ab-days", "1", .. args], output, error);
        return (code, error.ToString() + output);
    }
}
