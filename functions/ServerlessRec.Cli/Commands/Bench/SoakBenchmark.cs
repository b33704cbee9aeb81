using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using ServerlessRec.Cli.Settings;

namespace ServerlessRec.Cli.Commands.Bench;

/// <summary>
/// <c>bench soak</c>: the <c>serve</c> host on 127.0.0.1 under a bounded mixed load (recommendations, with and
/// without explain, and posted events that grow the users' histories and the event log) for a fixed number of
/// rounds. After each round it forces a full collection and records the managed heap and the working set; the run
/// passes with zero failed requests and a managed heap that grows by at most the stated bound between the first
/// round (warm) and the last.
/// </summary>
internal sealed class SoakBenchmark : IBenchSuite
{
    private const int Bodies = 1_000;

    private readonly Option<int> _items = CliOptions.Number("--soak-items", "soak: items of the live model", 100_000, 100, 5_000_000);
    private readonly Option<int> _users = CliOptions.Number("--soak-users", "soak: users with a history", 2_000, 10, 1_000_000);
    private readonly Option<int> _rounds = CliOptions.Number("--rounds", "soak: rounds of load", 10, 2, 1_000);
    private readonly Option<int> _roundRequests = CliOptions.Number("--round-requests", "soak: requests per round", 10_000, 10, 10_000_000);
    private readonly Option<int> _concurrency = CliOptions.Number("--soak-concurrency", "soak: parallel HTTP clients", 8, 1, 1_024);
    private readonly Option<int> _heapGrowth = CliOptions.Number("--heap-growth-mb", "soak: the managed heap growth allowed from the first round to the last, MB", 32, 1, 100_000);

    public SoakBenchmark() => Options = [_items, _users, _rounds, _roundRequests, _concurrency, _heapGrowth];

    public string Name => "soak";

    public string Usage => "[--soak-items 100000] [--soak-users 2000] [--rounds 10] [--round-requests 10000] [--soak-concurrency 8] [--heap-growth-mb 32]";

    public bool RunsByDefault => false;

    public IReadOnlyList<Option> Options { get; }

    public Func<BenchContext, CancellationToken, Task<BenchSuiteResult>> Bind(ParseResult parse)
    {
        var settings = new Settings(
            parse.GetValue(_items),
            parse.GetValue(_users),
            parse.GetValue(_rounds),
            parse.GetValue(_roundRequests),
            parse.GetValue(_concurrency),
            parse.GetValue(_heapGrowth));
        return (context, cancellationToken) => RunAsync(context, settings, cancellationToken);
    }

    private async Task<BenchSuiteResult> RunAsync(BenchContext context, Settings settings, CancellationToken cancellationToken)
    {
        var environment = BenchEnvironment.Capture(context.Time);
        var root = Path.Combine(context.ScratchDirectory, "store");
        var userIds = await ServeHttpBenchmark.CreateStoreAsync(context, Name, root, settings.Items, settings.Users, cancellationToken).ConfigureAwait(false);

        var app = ServeCommand.CreateApp(root, "http://127.0.0.1:0", context.Time);
        await using (app.ConfigureAwait(false))
        {
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
            var api = new Uri(app.Urls.Single().TrimEnd('/') + "/api/");
            var recommendations = new Uri(api, "recommendations");
            var events = new Uri(api, "events");
            var random = new Random(9);
            var plain = ServeHttpBenchmark.RequestBodies(userIds, 0.25, explain: false, random);
            var explained = ServeHttpBenchmark.RequestBodies(userIds, 0.25, explain: true, random);
            var posts = EventBodies(userIds, random);

            // Request i of every round: 70% recommendations, 10% with explain, 20% posted events.
            (Uri, byte[]) RequestFor(int i) => (i % 10) switch
            {
                < 7 => (recommendations, plain[i % Bodies]),
                7 => (recommendations, explained[i % Bodies]),
                _ => (events, posts[i % Bodies]),
            };

            using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = settings.Concurrency, PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5) };
            using var client = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(30) };
            var rounds = new List<Round>();
            var watch = Stopwatch.StartNew();
            for (var r = 1; r <= settings.Rounds; r++)
            {
                var load = await ServeHttpBenchmark.LoadAsync(client, RequestFor, settings.Concurrency, settings.RoundRequests, cancellationToken).ConfigureAwait(false);
                var heapMB = GC.GetTotalMemory(forceFullCollection: true) / 1048576.0;
                using var process = Process.GetCurrentProcess();
                var round = new Round(r, load.Requests, load.Errors, load.FirstError, load.RequestsPerSecond, load.LatencyMs, heapMB, process.WorkingSet64 / 1048576.0);
                rounds.Add(round);
                context.Progress(Name, string.Create(CultureInfo.InvariantCulture, $"round {r}/{settings.Rounds}: {load.Requests:N0} requests, {load.Errors} errors, {load.RequestsPerSecond:N0} req/s, p99 {load.LatencyMs.P99:F2} ms, heap {heapMB:F1} MB, working set {round.WorkingSetMB:F0} MB"));
            }

            await app.StopAsync(cancellationToken).ConfigureAwait(false);
            var errors = rounds.Sum(r => r.Errors);
            var growth = rounds[^1].HeapMB - rounds[0].HeapMB;
            BenchTarget[] targets =
            [
                new("zero failed requests", errors == 0, errors == 0 ? $"{rounds.Sum(r => r.Requests):N0} requests, none failed" : $"{errors} failed; first: {rounds.First(r => r.FirstError is not null).FirstError}"),
                new($"managed heap growth ≤ {settings.HeapGrowthMB} MB from round 1 to {settings.Rounds}", growth <= settings.HeapGrowthMB, string.Create(CultureInfo.InvariantCulture, $"{rounds[0].HeapMB:F1} → {rounds[^1].HeapMB:F1} MB ({growth:+0.0;-0.0} MB); working set {rounds[0].WorkingSetMB:F0} → {rounds[^1].WorkingSetMB:F0} MB")),
            ];
            var report = new SoakReport(environment, settings, watch.Elapsed.TotalSeconds, errors, growth, rounds, targets);
            var f = BenchMarkdown.F;
            var markdown = new BenchMarkdown(Name, environment, $"{settings.Items:N0} items, {settings.Rounds} × {settings.RoundRequests:N0} requests, {settings.Concurrency} concurrent clients")
                .Note($"`serve` in the same process on 127.0.0.1 over a store with a live {settings.Items:N0}-item model and {settings.Users:N0} users' histories. Mix per round: 70% `POST /api/recommendations`, 10% with `explain`, 20% `POST /api/events` (3 events for one user each).")
                .Note("Heap = managed heap after a forced full collection at the end of each round; working set = the process's (server, load generator and model together).")
                .Table(
                    ["round", "requests", "errors", "req/s", "p50 ms", "p99 ms", "heap MB", "working set MB"],
                    rounds.Select(r => (IReadOnlyList<string>)[f(r.Number, 0), f(r.Requests, 0), f(r.Errors, 0), f(r.RequestsPerSecond, 0), f(r.LatencyMs.P50), f(r.LatencyMs.P99), f(r.HeapMB, 1), f(r.WorkingSetMB, 0)]))
                .Targets(targets)
                .ToString();
            return new BenchSuiteResult(Name, report, markdown);
        }
    }

    private static byte[][] EventBodies(IReadOnlyList<string> userIds, Random random)
    {
        var bodies = new byte[Bodies][];
        var c = CultureInfo.InvariantCulture;
        for (var i = 0; i < Bodies; i++)
        {
            var user = userIds[random.Next(userIds.Count)];
            var json = new StringBuilder("{\"events\":[");
            for (var e = 0; e < 3; e++)
            {
                json.Append(c, $"{(e > 0 ? "," : string.Empty)}{{\"userId\":\"{user}\",\"itemId\":\"i{1 + random.Next(1_000)}\",\"type\":\"{(e == 2 ? "purchase" : "view")}\"}}");
            }

            bodies[i] = Encoding.UTF8.GetBytes(json.Append("]}").ToString());
        }

        return bodies;
    }

    private sealed record Settings(int Items, int Users, int Rounds, int RoundRequests, int Concurrency, int HeapGrowthMB);

    private sealed record Round(int Number, int Requests, int Errors, string? FirstError, double RequestsPerSecond, LatencySummary LatencyMs, double HeapMB, double WorkingSetMB);

    private sealed record SoakReport(BenchEnvironment Environment, Settings Settings, double Seconds, int Errors, double HeapGrowthMB, IReadOnlyList<Round> Rounds, IReadOnlyList<BenchTarget> Targets);
}
