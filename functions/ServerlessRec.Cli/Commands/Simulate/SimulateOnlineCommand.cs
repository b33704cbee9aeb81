using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using ServerlessRec.Cli.Settings;
using ServerlessRec.Pipeline;
using ServerlessRec.Serving;
using ServerlessRec.Training;

namespace ServerlessRec.Cli.Commands.Simulate;

/// <summary>
/// <c>serverlessrec simulate-online</c>: the closed-loop simulator (<see cref="OnlineSimulation"/>). Synthetic users with
/// known tastes are shown recommendations and click (true affinity, position bias, fatigue); each arm's clicks feed its
/// nightly retraining. Reports CTR, exposure coverage and exposure Gini per day and over the run for popularity,
/// two-tower, two-tower + diversity and two-tower + exploration (each setting), and two A/Bs served through
/// <see cref="Serving.RecommenderService"/> with a challenger pointer: a better configuration against a baseline, and two
/// identical configurations (optionally repeated over seeds for the false-positive rate).
/// </summary>
internal sealed class SimulateOnlineCommand : CliCommand
{
    private static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    private readonly Option<int> _days = CliOptions.Number("--days", "Simulated days of the policy comparison.", 30, 1, 365);
    private readonly Option<int> _users = CliOptions.Number("--users", "Users of the policy comparison's world.", 1000, 20, 200_000);
    private readonly Option<int> _items = CliOptions.Number("--items", "Items of the simulated world.", 500, 20, 20_000);
    private readonly Option<int> _seed = new("--seed") { Description = "The seed of the world, the clicks and training.", DefaultValueFactory = _ => 7 };
    private readonly Option<string> _exploration = new("--exploration") { Description = "Exploration shares to run, comma-separated (0: plain two-tower).", DefaultValueFactory = _ => "0,0.1,0.2" };
    private readonly Option<double> _diversity = CliOptions.Number("--diversity", "The diversity arm's MMR weight.", 0.3, 0.01, 1);
    private readonly Option<int> _epochs = CliOptions.Number("--epochs", "Training epochs each night (the policies' and the A/B challenger's configuration).", 3, 1, 100);
    private readonly Option<int> _abUsers = CliOptions.Number("--ab-users", "Users of the A/Bs' world.", 8000, 20, 200_000);
    private readonly Option<int> _abDays = CliOptions.Number("--ab-days", "Simulated days of each A/B.", 14, 1, 365);
    private readonly Option<double> _abShare = CliOptions.Number("--ab-share", "The challenger's share of users.", 0.1, 0.01, ChallengerPointer.MaxShare);
    private readonly Option<string> _abControl = new("--ab-control") { Description = "The baseline configuration the better A/B's challenger (the policies' configuration) runs against: dim=, hidden=, epochs=, negatives=, history=, comma-separated changes.", DefaultValueFactory = _ => "dim=16,hidden=32" };
    private readonly Option<int> _abSeeds = CliOptions.Number("--ab-seeds", "Also run the identical-configuration A/B on this many other seeds (the false-positive rate).", 0, 0, 100);
    private readonly Option<bool> _abSeedsPower = new("--ab-seeds-power") { Description = "Run the better-configuration A/B on the --ab-seeds seeds too (how often it is detected: the power)." };
    private readonly Option<int> _parallel = CliOptions.Number("--parallel", "Arms run at once (each trains on one thread).", Environment.ProcessorCount, 1, 64);
    private readonly Option<string> _json = new("--json") { Description = "Write the report as JSON to this file.", HelpName = "FILE" };

    public SimulateOnlineCommand(CliContext context)
        : base(context, "simulate-online", "Closed-loop simulation: synthetic users click on what each policy shows them, clicks feed nightly retraining; reports CTR, coverage and exposure Gini per policy and A/B verdicts served through the challenger pointer.")
    {
        foreach (var option in new Option[] { _days, _users, _items, _seed, _exploration, _diversity, _epochs, _abUsers, _abDays, _abShare, _abControl, _abSeeds, _abSeedsPower, _parallel, _json })
        {
            Options.Add(option);
        }
    }

    protected override async Task<int> RunAsync(ParseResult parse, TextWriter output, CancellationToken cancellationToken)
    {
        var exploration = new List<double>();
        foreach (var part in parse.GetRequiredValue(_exploration).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!double.TryParse(part, NumberStyles.Float, CultureInfo.InvariantCulture, out var share) || share is < 0 or > 1)
            {
                throw new CliUsageException($"--exploration takes shares between 0 and 1, comma-separated; '{part}' is not one.");
            }

            exploration.Add(share);
        }

        if (!exploration.Contains(0))
        {
            exploration.Insert(0, 0);
        }

        var options = new OnlineSimulationOptions
        {
            Days = parse.GetValue(_days),
            Users = parse.GetValue(_users),
            Items = parse.GetValue(_items),
            Seed = parse.GetValue(_seed),
            Exploration = [.. exploration.Distinct().Order()],
            Diversity = parse.GetValue(_diversity),
            ChallengerShare = parse.GetValue(_abShare),
        };
        var ab = new OnlineAbSettings(parse.GetValue(_abUsers), parse.GetValue(_abDays), parse.GetRequiredValue(_abControl), parse.GetValue(_abSeeds), parse.GetValue(_abSeedsPower));
        var report = await RunSimulationAsync(options, parse.GetValue(_epochs), ab, parse.GetValue(_parallel), output, cancellationToken).ConfigureAwait(false);
        if (parse.GetValue(_json) is { } jsonPath)
        {
            await File.WriteAllBytesAsync(jsonPath, JsonSerializer.SerializeToUtf8Bytes(report, JsonOptions), cancellationToken).ConfigureAwait(false);
            output.WriteLine($"wrote {jsonPath}");
        }

        return 0;
    }

    /// <summary>Reads "dim=16,epochs=1" into a copy of <paramref name="baseline"/> (an empty text: the baseline itself).</summary>
    internal static TwoTowerOptions ParseConfiguration(string text, TwoTowerOptions baseline)
    {
        var options = baseline.Clone();
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var pair = part.Split('=', 2, StringSplitOptions.TrimEntries);
            if (pair.Length != 2 || !int.TryParse(pair[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) || value < 1)
            {
                throw new CliUsageException($"--ab-control takes name=positive-integer pairs, comma-separated; '{part}' is not one.");
            }

            switch (pair[0])
            {
                case "dim": options.Dimensions = value; break;
                case "hidden": options.HiddenDimensions = value; break;
                case "epochs": options.Epochs = value; break;
                case "negatives": options.SampledNegatives = value; break;
                case "history": options.HistoryLength = value; break;
                default: throw new CliUsageException($"--ab-control knows dim, hidden, epochs, negatives and history; '{pair[0]}' is none of them.");
            }
        }

        return options;
    }

    /// <summary>A configuration's name in the report: its dimension, epochs and history.</summary>
    private static string NameOf(TwoTowerOptions options) => string.Create(CultureInfo.InvariantCulture, $"dim{options.Dimensions}-hidden{options.HiddenDimensions}-epochs{options.Epochs}-negatives{options.SampledNegatives}-history{options.HistoryLength}");

    /// <summary>Runs every arm and both A/Bs and builds the report.</summary>
    internal static async Task<OnlineReport> RunSimulationAsync(OnlineSimulationOptions options, int epochs, OnlineAbSettings ab, int parallel, TextWriter output, CancellationToken cancellationToken)
    {
        var total = Stopwatch.StartNew();
        // A small model, few epochs: every arm retrains every night. One training thread per arm keeps a run bit-for-bit
        // reproducible; the arms run side by side instead.
        var config = new TwoTowerOptions { Dimensions = 32, HiddenDimensions = 64, SampledNegatives = 128, Epochs = epochs, HistoryLength = 50, Seed = options.Seed, Threads = 1 };
        var baseline = ParseConfiguration(ab.Control, config);
        var simulation = new OnlineSimulation(options);
        await simulation.InitialiseAsync(cancellationToken).ConfigureAwait(false);
        var abOptions = options with { Users = ab.Users, Days = ab.Days };
        var abWorld = new OnlineSimulation(abOptions);
        await abWorld.InitialiseAsync(cancellationToken).ConfigureAwait(false);
        var gate = new object();
        void Print(string line)
        {
            lock (gate)
            {
                output.WriteLine(line);
            }
        }

        Print(string.Create(CultureInfo.InvariantCulture, $"world: {options.Users:N0} users, {options.Items:N0} items, {options.Days} days; exploration {string.Join(", ", options.Exploration)}; diversity {options.Diversity}; A/Bs: {ab.Users:N0} users, {ab.Days} days, challenger share {options.ChallengerShare:P0}; {parallel} at once"));

        var policies = new List<OnlinePolicy>
        {
            new("popularity", OnlinePolicyKind.Popularity, config),
            new("two-tower+diversity", OnlinePolicyKind.TwoTower, config) { Diversity = options.Diversity },
        };
        policies.AddRange(options.Exploration.Select(e => e == 0
            ? new OnlinePolicy("two-tower", OnlinePolicyKind.TwoTower, config)
            : new OnlinePolicy(ExplorationName(e), OnlinePolicyKind.TwoTower, config) { Exploration = e }));
        var better = new AbSpec("better", NameOf(baseline), baseline, NameOf(config), config);
        var identical = new AbSpec("identical", NameOf(config), config, NameOf(config), config);

        var days = Enumerable.Range(1, options.Days).Select(d => new OnlineDay(d, new SortedDictionary<string, OnlineArmMetrics>(StringComparer.Ordinal))).ToList();
        var runs = new SortedDictionary<string, ArmRun>(StringComparer.Ordinal);
        var abRuns = new SortedDictionary<string, ServedAbRun>(StringComparer.Ordinal);
        var seedRuns = new ServedAbRun[ab.Seeds];
        var seedBetterRuns = new ServedAbRun[ab.SeedsPower ? ab.Seeds : 0];
        using var slots = new SemaphoreSlim(parallel);
        async Task Job(Func<Task> work)
        {
            await slots.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                await Task.Run(work, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                slots.Release();
            }
        }

        var jobs = new List<Task>();
        for (var a = 0; a < policies.Count; a++)
        {
            var policy = policies[a];
            var index = a;
            jobs.Add(Job(() =>
            {
                var watch = Stopwatch.StartNew();
                var run = simulation.Run(policy, index, (day, metrics) => OnPolicyDay(day, policy.Name, metrics), cancellationToken);
                lock (gate)
                {
                    runs[policy.Name] = run;
                }

                Print(string.Create(CultureInfo.InvariantCulture,
                    $"{policy.Name,-32} ctr {run.Total.Ctr:P2}  coverage {run.Total.Coverage:P1}  gini day 1 {run.Days[0].ExposureGini:F3} → day {options.Days} {run.Days[^1].ExposureGini:F3}  ({watch.Elapsed.TotalSeconds:F0} s)"));
                return Task.CompletedTask;
            }));
        }

        foreach (var (spec, index) in new[] { (better, 0), (identical, 1) })
        {
            jobs.Add(Job(async () =>
            {
                var watch = Stopwatch.StartNew();
                var run = await abWorld.RunServedAbAsync(spec, index, (day, line) => Print(string.Create(CultureInfo.InvariantCulture, $"A/B {spec.Name} day {day}/{ab.Days}: {line}")), cancellationToken).ConfigureAwait(false);
                lock (gate)
                {
                    abRuns[spec.Name] = run;
                }

                Print(string.Create(CultureInfo.InvariantCulture, $"A/B {spec.Name,-10} {Describe(run)}  ({watch.Elapsed.TotalSeconds:F0} s)"));
            }));
        }

        for (var s = 0; s < ab.Seeds; s++)
        {
            var seed = s;
            jobs.Add(Job(async () =>
            {
                var world = new OnlineSimulation(abOptions with { Seed = options.Seed + 1 + seed });
                await world.InitialiseAsync(cancellationToken).ConfigureAwait(false);
                var seedConfig = config.Clone();
                seedConfig.Seed = options.Seed + 1 + seed;
                var run = await world.RunServedAbAsync(identical with { Control = seedConfig, Challenger = seedConfig }, 1, cancellationToken: cancellationToken).ConfigureAwait(false);
                seedRuns[seed] = run;
                Print(string.Create(CultureInfo.InvariantCulture, $"A/B identical, seed {options.Seed + 1 + seed}: {Describe(run)}"));
                if (ab.SeedsPower)
                {
                    var seedBaseline = baseline.Clone();
                    seedBaseline.Seed = seedConfig.Seed;
                    var betterRun = await world.RunServedAbAsync(better with { Control = seedBaseline, Challenger = seedConfig }, 0, cancellationToken: cancellationToken).ConfigureAwait(false);
                    seedBetterRuns[seed] = betterRun;
                    Print(string.Create(CultureInfo.InvariantCulture, $"A/B better, seed {options.Seed + 1 + seed}: {Describe(betterRun)}"));
                }
            }));
        }

        await Task.WhenAll(jobs).ConfigureAwait(false);

        var plain = runs["two-tower"];
        var curve = options.Exploration.Select(e =>
        {
            var run = runs[e == 0 ? "two-tower" : ExplorationName(e)];
            return new ExplorationPoint(e, run.Total.Ctr, plain.Total.Ctr == 0 ? 0 : run.Total.Ctr / plain.Total.Ctr, run.Days[0].ExposureGini, run.Days[^1].ExposureGini, run.Total.Coverage);
        }).ToList();
        var explored = options.Exploration.FirstOrDefault(e => e > 0);
        var exploredRun = explored > 0 ? runs[ExplorationName(explored)] : plain;
        var falsePositives = ab.Seeds == 0 ? null : new AbSeedCheck(
            ab.Seeds,
            seedRuns.Count(r => r.Verdict != ChallengerVerdicts.Inconclusive),
            (double)seedRuns.Count(r => r.Verdict != ChallengerVerdicts.Inconclusive) / ab.Seeds,
            [.. seedRuns.Select(r => r.Verdict)])
        {
            BetterDetected = ab.SeedsPower ? seedBetterRuns.Count(r => r.Verdict == ChallengerVerdicts.Better) : null,
            BetterVerdicts = ab.SeedsPower ? [.. seedBetterRuns.Select(r => r.Verdict)] : null,
            BetterTrueLifts = ab.SeedsPower ? [.. seedBetterRuns.Select(r => r.TrueLift)] : null,
            BetterRelativeLifts = ab.SeedsPower ? [.. seedBetterRuns.Select(r => r.RelativeLift)] : null,
        };
        var abSummary = new OnlineAbSummary(options.ChallengerShare, ab.Users, ab.Days, abRuns["better"], abRuns["identical"], falsePositives);
        var summary = new SortedDictionary<string, object>(StringComparer.Ordinal)
        {
            ["popularity"] = Summary(runs["popularity"]),
            ["two-tower"] = Summary(plain),
            ["two-tower+diversity"] = Summary(runs["two-tower+diversity"]),
            ["two-tower+exploration"] = Summary(exploredRun) with { Exploration = explored },
            ["explorationCurve"] = curve,
            ["ab"] = abSummary,
        };

        var targets = new OnlineTargets(
            TwoTowerCtrOverPopularity: runs["popularity"].Total.Ctr == 0 ? 0 : plain.Total.Ctr / runs["popularity"].Total.Ctr,
            TwoTowerCtrAtLeast2xPopularity: plain.Total.Ctr >= 2 * runs["popularity"].Total.Ctr,
            ExplorationGiniLastDayAtMostFirst: exploredRun.Days[^1].ExposureGini <= exploredRun.Days[0].ExposureGini,
            ExplorationCtrWithin10Percent: plain.Total.Ctr > 0 && exploredRun.Total.Ctr >= 0.9 * plain.Total.Ctr,
            BetterConfigurationTrueLiftAtLeast10Percent: abRuns["better"].TrueLift >= 0.1,
            BetterConfigurationDetected: abRuns["better"].Verdict == ChallengerVerdicts.Better,
            IdenticalInconclusive: abRuns["identical"].Verdict == ChallengerVerdicts.Inconclusive,
            IdenticalFalsePositiveRateOverSeeds: falsePositives?.Rate);
        Print(string.Create(CultureInfo.InvariantCulture,
            $"two-tower CTR {targets.TwoTowerCtrOverPopularity:F2}× popularity (target ≥ 2); exploration {explored}: gini day {options.Days} ≤ day 1 {targets.ExplorationGiniLastDayAtMostFirst}, CTR within 10 % {targets.ExplorationCtrWithin10Percent}; better configuration (true lift {abRuns["better"].TrueLift:+0.0%;-0.0%}) detected {targets.BetterConfigurationDetected}; identical inconclusive {targets.IdenticalInconclusive}{(falsePositives is null ? string.Empty : $" (false positives over {ab.Seeds} seeds: {falsePositives.Positives})")}; {total.Elapsed.TotalSeconds:F0} s"));
        return new OnlineReport(summary, targets, days, total.Elapsed.TotalSeconds);

        void OnPolicyDay(int day, string arm, OnlineArmMetrics metrics)
        {
            lock (gate)
            {
                var arms = days[day - 1].Arms;
                arms[arm] = metrics;
                if (arms.Count == policies.Count)
                {
                    output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"day {day}/{options.Days}: {string.Join("  ", arms.Select(a => $"{a.Key} {a.Value.Ctr:P1}"))}"));
                }
            }
        }
    }

    private static string ExplorationName(double exploration) => string.Create(CultureInfo.InvariantCulture, $"two-tower+exploration@{exploration}");

    private static string Describe(ServedAbRun run) => string.Create(CultureInfo.InvariantCulture,
        $"{run.Challenger} {run.ChallengerCtr:P2} ({run.ChallengerUsers:N0} users) vs {run.ControlCtr:P2} ({run.ControlUsers:N0}): {run.Difference:+0.0000;-0.0000} [{run.Low:+0.0000;-0.0000}, {run.High:+0.0000;-0.0000}] = {run.RelativeLift:+0.0%;-0.0%} {run.Verdict}; true lift {run.TrueLift:+0.0%;-0.0%}; detectable (80% power) {run.MinimumDetectableLift:0.0%}; served = trainer's list {run.ServedListsMatchingTheTrainer:P1}");

    private static OnlineArmSummary Summary(ArmRun run) =>
        new(run.Total.Ctr, run.Total.ExposureGini, run.Total.Coverage, run.Days[0].ExposureGini, run.Days[^1].ExposureGini, run.Days[0].Ctr, run.Days[^1].Ctr, run.Total.Impressions, run.Total.Clicks);
}
