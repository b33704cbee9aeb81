using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using ServerlessRec.Azure.Storage;
using ServerlessRec.Cli.Settings;
using ServerlessRec.Events;
using ServerlessRec.Pipeline;
using ServerlessRec.Retrieval;
using ServerlessRec.Storage;
using ServerlessRec.Training;

namespace ServerlessRec.Cli.Commands.Simulate;

/// <summary>
/// <c>serverlessrec simulate</c>: runs the real system for simulated days. <c>serve</c>'s HTTP API runs on Kestrel over
/// the chosen store (a local folder, or an Azurite started for the run); each simulated day clients post events over
/// HTTP at a steady rate (retrying with the same <c>Idempotency-Key</c>), ask for recommendations, send poisoned events
/// and forget users; each night a bulk file (with poisoned lines) lands in <c>events/</c> and the retraining
/// orchestration runs. On one day the store fails a share of its operations. Time is a simulated clock, so a month
/// runs in minutes. Each day's row says what was posted, acknowledged, logged and lost, what was quarantined, how the
/// retraining went and how serving behaved.
/// </summary>
internal sealed class SimulateCommand : CliCommand
{
    private static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    private readonly Option<int> _days = CliOptions.Number("--days", "Simulated days.", 30, 1, 365);
    private readonly Option<string> _store = new Option<string>("--store") { Description = "Where the simulated system stores its blobs.", DefaultValueFactory = _ => "local" }.AcceptOnlyFromAmong("local", "azurite");
    private readonly Option<string> _root = new("--root") { Description = "The local store's folder (a new temporary folder by default).", HelpName = "DIR" };
    private readonly Option<int> _users = CliOptions.Number("--users", "Users of the simulated world.", 3000, 20, 10_000_000);
    private readonly Option<int> _items = CliOptions.Number("--items", "Items of the simulated world.", 600, 20, 10_000_000);
    private readonly Option<int> _eventsPerDay = CliOptions.Number("--events-per-day", "Events a day.", 3000, 10, 10_000_000);
    private readonly Option<double> _bulkShare = CliOptions.Number("--bulk-share", "Share of the events that arrive as nightly bulk files.", 0.3, 0, 1);
    private readonly Option<double> _poisonRate = CliOptions.Number("--poison-rate", "Share of poisoned posts and bulk lines.", 0.002, 0, 0.5);
    private readonly Option<int> _forgetPerDay = CliOptions.Number("--forget-per-day", "Users forgotten a day.", 3, 0, 10_000);
    private readonly Option<int> _faultDay = CliOptions.Number("--fault-day", "The day the store fails a share of its operations (0: none).", 10, 0, 365);
    private readonly Option<double> _faultRate = CliOptions.Number("--fault-rate", "Share of the store's operations that fail on the fault day.", 0.02, 0, 0.5);
    private readonly Option<int> _windowDays = CliOptions.Number("--window-days", "The simulated system's training window in days.", 7, 0, 3650);
    private readonly Option<int> _recommendationsPerDay = CliOptions.Number("--recommendations-per-day", "Recommendation requests a day.", 300, 0, 1_000_000);
    private readonly Option<int> _clients = CliOptions.Number("--clients", "Concurrent HTTP clients.", 4, 1, 64);
    private readonly Option<int> _seed = new("--seed") { Description = "The seed of the simulated world, and of training when given.", DefaultValueFactory = _ => 7 };
    private readonly Option<string> _json = new("--json") { Description = "Write the report as JSON to this file.", HelpName = "FILE" };
    private readonly SettingFlags<TwoTowerOptions> _training;

    public SimulateCommand(CliContext context)
        : base(context, "simulate", "Run the real system for simulated days (HTTP traffic, nightly bulk files and retraining, poison, forgets, storage faults) and report each day.")
    {
        // A smaller model than the defaults, so a month runs in minutes; the Training settings and flags still apply over it.
        _training = TrainingFlags.Create(context, () => new TwoTowerOptions { Dimensions = 32, HiddenDimensions = 64, SampledNegatives = 128, Epochs = 8, Patience = 2, HistoryLength = 50 }, seed: false);
        foreach (var option in new Option[] { _days, _store, _root, _users, _items, _eventsPerDay, _bulkShare, _poisonRate, _forgetPerDay, _faultDay, _faultRate, _windowDays, _recommendationsPerDay, _clients, _seed, _json })
        {
            Options.Add(option);
        }

        _training.AddTo(this);
    }

    protected override async Task<int> RunAsync(ParseResult parse, TextWriter output, CancellationToken cancellationToken)
    {
        var options = new SimulationOptions
        {
            Days = parse.GetValue(_days),
            Store = parse.GetRequiredValue(_store),
            Root = parse.GetValue(_root),
            Users = parse.GetValue(_users),
            Items = parse.GetValue(_items),
            EventsPerDay = parse.GetValue(_eventsPerDay),
            BulkShare = parse.GetValue(_bulkShare),
            PoisonRate = parse.GetValue(_poisonRate),
            ForgetPerDay = parse.GetValue(_forgetPerDay),
            FaultDay = parse.GetValue(_faultDay),
            FaultRate = parse.GetValue(_faultRate),
            WindowDays = parse.GetValue(_windowDays),
            RecommendationsPerDay = parse.GetValue(_recommendationsPerDay),
            Clients = parse.GetValue(_clients),
            Seed = parse.GetValue(_seed),
        };
        var training = _training.Bind(parse);
        if (parse.GetResult(_seed) is { Implicit: false })
        {
            training.Seed = options.Seed;
        }

        var jsonPath = parse.GetValue(_json);
        if (options.Store == "azurite" && options.Root is not null)
        {
            throw new CliUsageException("--root names a local folder; it does not go with --store azurite.");
        }

        await using var azurite = options.Store == "azurite" ? await AzuriteProcess.StartAsync(cancellationToken).ConfigureAwait(false) : null;
        var root = options.Root ?? Path.Combine(Path.GetTempPath(), $"serverlessrec-simulate-{DateTime.UtcNow:yyyyMMddHHmmss}");
        IBlobStore backing = azurite is null
            ? new LocalFolderBlobStore(new StorageOptions { LocalRoot = root })
            : BlobStoreFactory.Create(new StorageOptions { Provider = StorageProvider.AzureBlob, ConnectionString = azurite.ConnectionString });
        output.WriteLine(azurite is null ? $"store: local folder {Path.GetFullPath(root)}" : $"store: Azurite {azurite.Endpoint} (started for this run)");

        var report = await new Simulation(options, training, backing, output).RunAsync(cancellationToken).ConfigureAwait(false);
        if (jsonPath is not null)
        {
            await File.WriteAllBytesAsync(jsonPath, JsonSerializer.SerializeToUtf8Bytes(report, JsonOptions), cancellationToken).ConfigureAwait(false);
            output.WriteLine($"wrote {jsonPath}");
        }

        return report.Summary.TargetsMet ? 0 : 4;
    }

    /// <summary>One run of the simulation.</summary>
    private sealed class Simulation(SimulationOptions options, TwoTowerOptions training, IBlobStore backing, TextWriter output)
    {
        private static readonly string[] PoisonKinds = ["huge-value", "negative-huge-value", "future-timestamp", "long-id", "control-character"];
        private readonly InstrumentedBlobStore _store = new(backing, options.Seed);
        private readonly Random _random = new(options.Seed);
        private readonly List<string> _knownUsers = [];

        public async Task<SimulationReport> RunAsync(CancellationToken cancellationToken)
        {
            var total = Stopwatch.StartNew();
            var today = DateTimeOffset.UtcNow;
            var start = new DateTimeOffset(today.Year, today.Month, today.Day, 0, 0, 0, TimeSpan.Zero).AddDays(-options.Days);
            var clock = new FakeTimeProvider(start);
            var days = await GenerateWorldAsync(start, cancellationToken).ConfigureAwait(false);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"world: {options.Users:N0} users, {options.Items:N0} items, {options.EventsPerDay:N0} events a day ({options.BulkShare:P0} as nightly bulk files) from {start:yyyy-MM-dd}; training window {options.WindowDays} days; storage faults on day {options.FaultDay}"));

            Environment.SetEnvironmentVariable("Logging__LogLevel__Default", "Warning");
            // The training window keeps a month of traffic from growing each night's work (see "Running for months").
            var retrain = new RetrainOptions { KeepVersions = 2, FirstRetryInterval = TimeSpan.FromMilliseconds(200), WindowDays = options.WindowDays };
            await using var app = ServeCommand.CreateApp(_store, new SearchOptions(), "http://127.0.0.1:0", clock, logging => logging.ClearProviders(), training, retrain);
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
            using var http = new HttpClient { BaseAddress = new Uri(app.Urls.First().TrimEnd('/') + "/"), Timeout = TimeSpan.FromMinutes(2) };
            using var traffic = new TrafficClient(http, options.Clients);

            output.WriteLine("day  posted  acked  logged  lost  api-400  quarantined  retrain      seconds  ndcg@10  p50 ms  p99 ms  blob ops  WS MB");
            var rows = new List<SimulatedDay>();
            for (var day = 1; day <= options.Days; day++)
            {
                var dayStart = start.AddDays(day - 1);
                var faulty = day == options.FaultDay;
                _store.FaultRate = faulty ? options.FaultRate : 0;
                var (api, bulk) = Split(days[day - 1]);
                var row = await SimulateDayAsync(day, dayStart, api, bulk, clock, traffic, faulty, cancellationToken).ConfigureAwait(false);
                rows.Add(row);
                output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{row.Day,3} {row.Posted,7} {row.Acknowledged,6} {row.Logged,7} {row.Lost,5} {row.RejectedAtApi.Values.Sum(),8} {row.Quarantined.Values.Sum(),12}  {row.RetrainOutcome,-11} {row.RetrainSeconds,7:F1} {row.Ndcg10,8:F4} {row.P50Ms,7:F1} {row.P99Ms,7:F1} {row.BlobOperations.Values.Sum(),9} {row.WorkingSetMb,6:F0}{(faulty ? $"  ← {row.InjectedFaults} storage faults" : string.Empty)}"));
            }

            await app.StopAsync(CancellationToken.None).ConfigureAwait(false);
            var summary = Summarise(rows, total.Elapsed);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{options.Days} days in {total.Elapsed.TotalSeconds:F0} s: lost {summary.Lost} (target 0), retrainings failed {summary.FailedRetrains}, day-{summary.LateDay}/day-{summary.EarlyDay} retrain time {summary.RetrainGrowth:F2}× (target ≤ 1.25), seeded users per bulk user {summary.SeededPerBulkUser:F2}"));
            output.WriteLine(summary.TargetsMet ? "targets met" : $"targets missed: {string.Join("; ", summary.Missed)}");
            return new SimulationReport(rows, summary);
        }

        private async Task<SimulatedDay> SimulateDayAsync(int day, DateTimeOffset dayStart, List<InteractionEvent> api, List<InteractionEvent> bulk, FakeTimeProvider clock, TrafficClient traffic, bool faulty, CancellationToken cancellationToken)
        {
            var posted = 0;
            var acknowledged = 0;
            var rejected = new SortedDictionary<string, long>(StringComparer.Ordinal);
            var latencies = new List<double>();
            var recommendEvery = options.RecommendationsPerDay == 0 ? int.MaxValue : Math.Max(1, api.Count / options.RecommendationsPerDay);
            var batches = api.Chunk(25).ToList();
            var forgetAt = new HashSet<int>(Enumerable.Range(0, options.ForgetPerDay).Select(i => (int)((i + 0.5) * batches.Count / Math.Max(1, options.ForgetPerDay))));
            var pending = new List<Task>();
            for (var b = 0; b < batches.Count; b++)
            {
                var batch = batches[b];
                Advance(clock, batch[^1].Timestamp);
                posted += batch.Length;
                pending.Add(traffic.PostAsync(batch, cancellationToken).ContinueWith(t => Interlocked.Add(ref acknowledged, t.Result), TaskScheduler.Default));
                _knownUsers.AddRange(batch.Select(e => e.UserId));
                if (pending.Count >= options.Clients)
                {
                    await Task.WhenAll(pending).ConfigureAwait(false);
                    pending.Clear();
                }

                foreach (var e in batch)
                {
                    if (_random.NextDouble() < options.PoisonRate)
                    {
                        var kind = PoisonKinds[_random.Next(PoisonKinds.Length)];
                        var status = await traffic.PostRawAsync(PoisonedApiEvent(kind, e, clock.GetUtcNow()), cancellationToken).ConfigureAwait(false);
                        var key = status == 400 ? kind : $"{kind}-accepted-{status}";
                        rejected[key] = rejected.GetValueOrDefault(key) + 1;
                    }
                }

                for (var r = b * batch.Length / recommendEvery; r < (b + 1) * batch.Length / recommendEvery; r++)
                {
                    var user = _knownUsers.Count == 0 || _random.NextDouble() < 0.1 ? $"visitor-{day}-{r}" : _knownUsers[_random.Next(_knownUsers.Count)];
                    latencies.Add(await traffic.RecommendAsync(user, cancellationToken).ConfigureAwait(false));
                }

                if (forgetAt.Contains(b) && _knownUsers.Count > 0)
                {
                    await traffic.ForgetAsync(_knownUsers[_random.Next(_knownUsers.Count)], cancellationToken).ConfigureAwait(false);
                }
            }

            await Task.WhenAll(pending).ConfigureAwait(false);

            // What the day's API log holds once the posting is over (the night's purge may then erase forgotten users' lines).
            var faultRate = _store.FaultRate;
            _store.FaultRate = 0;
            var logged = await CountApiLinesAsync(dayStart, cancellationToken).ConfigureAwait(false);
            _store.FaultRate = faultRate;

            // Night: the day's bulk file (with poisoned lines), then the retraining.
            Advance(clock, dayStart.AddHours(23).AddMinutes(30));
            var bulkUsers = await WriteBulkFileAsync(day, dayStart, bulk, cancellationToken).ConfigureAwait(false);
            Advance(clock, dayStart.AddDays(1));
            var watch = Stopwatch.StartNew();
            var (outcome, record) = await traffic.RetrainAsync(_store, cancellationToken).ConfigureAwait(false);
            var retrainSeconds = watch.Elapsed.TotalSeconds;
            _store.FaultRate = 0;
            var faults = _store.Faults;
            var operations = _store.TakeCounts();
            latencies.Sort();
            using var process = Process.GetCurrentProcess();
            return new SimulatedDay
            {
                Day = day,
                Date = dayStart.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                Posted = posted,
                Acknowledged = acknowledged,
                Logged = logged,
                Lost = Math.Max(0, acknowledged - logged),
                Duplicated = Math.Max(0, logged - acknowledged),
                RejectedAtApi = rejected,
                Quarantined = new SortedDictionary<string, long>(record?.RejectedByReason.ToDictionary() ?? [], StringComparer.Ordinal),
                BulkEvents = bulk.Count,
                BulkUsers = bulkUsers,
                SeededUsers = record?.SeededUsers ?? 0,
                QuarantinedUsers = record?.QuarantinedUsers ?? 0,
                ErasedLines = record?.PurgedLines ?? 0,
                TrainingEvents = record?.Dataset?.Events ?? 0,
                RetrainOutcome = outcome,
                RetrainReason = record?.Reason,
                RetrainSeconds = retrainSeconds,
                StepSeconds = new SortedDictionary<string, double>(record?.StepSeconds.ToDictionary() ?? [], StringComparer.Ordinal),
                Ndcg10 = record?.Evaluation?.Candidate.NdcgAt10,
                Recommendations = latencies.Count,
                RecommendationErrors = traffic.TakeRecommendationErrors(),
                P50Ms = Percentile(latencies, 0.50),
                P99Ms = Percentile(latencies, 0.99),
                BlobOperations = operations,
                InjectedFaults = faulty ? faults : 0,
                WorkingSetMb = process.WorkingSet64 / 1048576.0,
            };
        }

        private async Task<List<List<InteractionEvent>>> GenerateWorldAsync(DateTimeOffset start, CancellationToken cancellationToken)
        {
            var generator = new SyntheticLogGenerator(new SyntheticLogOptions
            {
                Users = options.Users,
                Items = options.Items,
                Events = (long)options.EventsPerDay * options.Days,
                Seed = options.Seed,
                Start = start,
                Days = options.Days,
            });
            using var lines = new MemoryStream();
            await generator.WriteEventsAsync(lines, cancellationToken: cancellationToken).ConfigureAwait(false);
            lines.Position = 0;
            var sink = new CollectingSink(options.Days, start);
            new EventFileReader(new EventTypeOptions()).Read(lines, "world.jsonl", EventFileFormat.JsonLines, sink, cancellationToken);
            await CatalogFileWriter.WriteAsync(new BlobStoreDestination(_store, ContainerNames.Catalog), SyntheticLogGenerator.CatalogBlobName, generator.GetCatalog(), cancellationToken).ConfigureAwait(false);
            _store.TakeCounts();
            return sink.Days;
        }

        private (List<InteractionEvent> Api, List<InteractionEvent> Bulk) Split(List<InteractionEvent> events)
        {
            var api = new List<InteractionEvent>(events.Count);
            var bulk = new List<InteractionEvent>();
            foreach (var e in events)
            {
                (_random.NextDouble() < options.BulkShare ? bulk : api).Add(e);
            }

            return (api, bulk);
        }

        private async Task<int> WriteBulkFileAsync(int day, DateTimeOffset dayStart, List<InteractionEvent> bulk, CancellationToken cancellationToken)
        {
            var lines = new StringBuilder();
            foreach (var e in bulk)
            {
                lines.Append(SimulatedEventJson.Line(e)).Append('\n');
                if (_random.NextDouble() < options.PoisonRate * 5)
                {
                    lines.Append(PoisonedBulkLine(PoisonKinds[_random.Next(PoisonKinds.Length)], e)).Append('\n');
                }
            }

            if (lines.Length > 0)
            {
                var name = string.Create(CultureInfo.InvariantCulture, $"{dayStart:yyyy}/{dayStart:MM}/{dayStart:dd}/23/bulk-day{day:D3}.jsonl");
                await _store.WriteAsync(ContainerNames.Events, name, Encoding.UTF8.GetBytes(lines.ToString()), BlobWriteCondition.None, cancellationToken).ConfigureAwait(false);
            }

            return bulk.Select(e => e.UserId).Distinct(StringComparer.Ordinal).Count();
        }

        private async Task<long> CountApiLinesAsync(DateTimeOffset dayStart, CancellationToken cancellationToken)
        {
            long lines = 0;
            var prefix = string.Create(CultureInfo.InvariantCulture, $"{dayStart:yyyy}/{dayStart:MM}/{dayStart:dd}/");
            await foreach (var blob in _store.ListAsync(ContainerNames.Events, prefix, cancellationToken).ConfigureAwait(false))
            {
                if (!blob.Name.Contains("/api-", StringComparison.Ordinal))
                {
                    continue;
                }

                var content = await _store.ReadAsync(ContainerNames.Events, blob.Name, cancellationToken).ConfigureAwait(false);
                lines += content is null ? 0 : content.Content.Span.Count((byte)'\n');
            }

            return lines;
        }

        private static string PoisonedApiEvent(string kind, InteractionEvent e, DateTimeOffset now) =>
            kind == "future-timestamp"
                ? SimulatedEventJson.Post(e, now.AddDays(400).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture))
                : SimulatedEventJson.Post([Poisoned(kind, e)]);

        private static string PoisonedBulkLine(string kind, InteractionEvent e) =>
            kind == "future-timestamp" ? SimulatedEventJson.Line(e, "2099-01-01T00:00:00Z") : SimulatedEventJson.Line(Poisoned(kind, e));

        private static InteractionEvent Poisoned(string kind, InteractionEvent e) => kind switch
        {
            "huge-value" => e with { Type = "rating", Value = 1e39 },
            "negative-huge-value" => e with { Type = "rating", Value = -1e308 },
            "long-id" => e with { UserId = new string('x', 129) },
            _ => e with { UserId = e.UserId + "\u0001" },
        };

        private static void Advance(FakeTimeProvider clock, DateTimeOffset to)
        {
            if (to > clock.GetUtcNow())
            {
                clock.SetUtcNow(to);
            }
        }

        private static double Percentile(List<double> sorted, double p) =>
            sorted.Count == 0 ? 0 : sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];

        private SimulationSummary Summarise(List<SimulatedDay> rows, TimeSpan elapsed)
        {
            var early = Math.Min(7, rows.Count);
            var late = rows.Count;
            var growth = rows[early - 1].RetrainSeconds > 0 ? rows[late - 1].RetrainSeconds / rows[early - 1].RetrainSeconds : 0;
            var bulkUsers = rows.Sum(r => (long)r.BulkUsers);
            var seeded = rows.Sum(r => (long)r.SeededUsers);
            var missed = new List<string>();
            var lost = rows.Sum(r => r.Lost);
            if (lost > 0)
            {
                missed.Add($"{lost} acknowledged events are not in the log");
            }

            var failedByData = rows.Where(r => r.RetrainOutcome == "failed" && r.Day != options.FaultDay).ToList();
            if (failedByData.Count > 0)
            {
                missed.Add($"retraining failed on days {string.Join(", ", failedByData.Select(r => r.Day))} ({failedByData[0].RetrainReason})");
            }

            if (rows.Count >= 7 && growth > 1.25)
            {
                missed.Add($"the day-{late} retraining took {growth:F2}× the day-{early} one");
            }

            if (rows.Sum(r => r.RejectedAtApi.Where(x => x.Key.Contains("-accepted-", StringComparison.Ordinal)).Sum(x => x.Value)) is var accepted and > 0)
            {
                missed.Add($"{accepted} poisoned events were accepted by the API");
            }

            return new SimulationSummary
            {
                Days = rows.Count,
                Seconds = elapsed.TotalSeconds,
                Posted = rows.Sum(r => (long)r.Posted),
                Acknowledged = rows.Sum(r => r.Acknowledged),
                Logged = rows.Sum(r => r.Logged),
                Lost = lost,
                FailedRetrains = rows.Count(r => r.RetrainOutcome == "failed"),
                EarlyDay = early,
                LateDay = late,
                RetrainGrowth = growth,
                SeededPerBulkUser = bulkUsers == 0 ? 0 : (double)seeded / bulkUsers,
                Missed = missed,
            };
        }
    }

    /// <summary>Sorts the generated world's events into simulated days.</summary>
    private sealed class CollectingSink(int days, DateTimeOffset start) : IEventSink
    {
        public List<List<InteractionEvent>> Days { get; } = [.. Enumerable.Range(0, days).Select(_ => new List<InteractionEvent>())];

        public void OnEvent(in InteractionEvent e)
        {
            var day = (int)Math.Floor((e.Timestamp - start).TotalDays);
            if (day >= 0 && day < Days.Count)
            {
                Days[day].Add(e);
            }
        }

        public void OnRejected(RejectedLine line)
        {
        }
    }
}
