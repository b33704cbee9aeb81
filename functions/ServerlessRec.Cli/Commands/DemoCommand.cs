using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Hosting;
using ServerlessRec.Cli.Settings;
using ServerlessRec.Events;
using ServerlessRec.Pipeline;
using ServerlessRec.Storage;
using ServerlessRec.Training;

namespace ServerlessRec.Cli.Commands;

/// <summary>
/// <c>serverlessrec demo</c>: the whole loop on the embedded default, in one command. It writes synthetic logs into
/// the local store, starts the same host as <c>serve</c>, starts the retraining orchestration through
/// <c>POST /api/retrain</c> and follows it, prints the model's metrics, then makes the example calls (printed as
/// <c>curl</c> commands) that show a ranking change after one posted event, and keeps serving until Ctrl+C.
/// </summary>
internal sealed class DemoCommand : CliCommand
{
    private static readonly TimeSpan RetrainTimeout = TimeSpan.FromMinutes(30);

    private readonly Option<string> _urls = ServeCommand.UrlsOption();
    private readonly Option<bool> _exit = new("--exit") { Description = "Stop after the examples instead of serving until Ctrl+C." };
    private readonly Option<int> _users = CliOptions.Number("--users", "Users of the synthetic logs.", 1500, 10, 10_000_000);
    private readonly Option<int> _items = CliOptions.Number("--items", "Items of the synthetic logs.", 800, 10, 10_000_000);
    private readonly Option<long> _events = CliOptions.Number("--events", "Events of the synthetic logs.", 80_000L, 1_000L, 1_000_000_000L);
    private readonly Option<long> _seed = new("--seed") { Description = "The seed of the synthetic logs, and of training when given.", DefaultValueFactory = _ => 7 };
    private readonly Option<double> _badLines = CliOptions.Number("--bad-lines", "Share of malformed lines mixed in.", 0.001, 0, 0.5);
    private readonly Option<bool> _fresh = new("--fresh") { Description = "Generate new logs even when events/ has some." };
    private readonly StoreOption _store;
    private readonly SettingFlags<RetrainOptions> _retrain;
    private readonly SettingFlags<TwoTowerOptions> _training;
    private readonly EventTypesOption _eventTypes;

    public DemoCommand(CliContext context)
        : base(context, "demo", $"Run the whole loop locally: generate logs into {StorageOptions.DefaultLocalRoot}/, serve the API, retrain through it, show recommendations change; --exit stops after the examples.")
    {
        _store = new StoreOption(context);
        // The demo's synthetic logs have fixed dates (reproducible runs) and are reused across runs, so a training window
        // anchored on today would drop them as they age: the demo reads every log blob unless told otherwise.
        _retrain = TrainingFlags.CreateRetrain(context, () => new RetrainOptions { WindowDays = 0 });
        _training = TrainingFlags.Create(context, seed: false);
        _eventTypes = new EventTypesOption(context);
        foreach (var option in new Option[] { _store.Option, _urls, _exit, _users, _items, _events, _seed, _badLines, _fresh, _eventTypes.Option })
        {
            Options.Add(option);
        }

        _retrain.AddTo(this);
        _training.AddTo(this);
    }

    protected override async Task<int> RunAsync(ParseResult parse, TextWriter output, CancellationToken cancellationToken)
    {
        var cli = _store.Open(parse);
        var store = cli.Store;
        var search = SearchConfiguration.Read(Context.Configuration);
        var urls = parse.GetRequiredValue(_urls);
        var exit = parse.GetValue(_exit);
        var synthetic = new SyntheticLogOptions
        {
            Users = parse.GetValue(_users),
            Items = parse.GetValue(_items),
            Events = parse.GetValue(_events),
            Seed = parse.GetValue(_seed),
            BadLineFraction = parse.GetValue(_badLines),
        };
        var fresh = parse.GetValue(_fresh);
        var retrain = _retrain.Bind(parse);
        var training = _training.Bind(parse);
        if (parse.GetResult(_seed) is { Implicit: false })
        {
            training.Seed = unchecked((int)synthetic.Seed);
        }

        var eventTypes = _eventTypes.Read(parse);
        var timeProvider = Context.Time;

        var total = Stopwatch.StartNew();
        output.WriteLine(cli.Banner);
        output.WriteLine("== 1. logs in the store");
        await EnsureLogsAsync(store, synthetic, fresh, output, cancellationToken).ConfigureAwait(false);

        // The in-process Durable Task engine logs every work item at Information; only warnings matter here.
        Environment.SetEnvironmentVariable("Logging__LogLevel__Default", "Warning");
        // The demo's host serves the sample storefront too: it adds a page, not access (the local API checks no keys).
        var sampleFolder = SampleStorefront.TryFindFolder();
        await using var app = ServeCommand.CreateApp(store, search, urls, timeProvider, training: training, retrain: retrain, eventTypes: eventTypes, sampleFolder: sampleFolder);
        try
        {
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (IOException ex)
        {
            throw new CliUsageException($"cannot listen on {urls} ({ex.Message}); is another serve or demo running? Pass --urls http://127.0.0.1:7072 to use another port.");
        }

        var baseUrl = app.Urls.First().TrimEnd('/');
        using var http = new HttpClient { BaseAddress = new Uri(baseUrl + "/"), Timeout = TimeSpan.FromMinutes(2) };
        output.WriteLine();
        output.WriteLine($"== 2. the API is up at {baseUrl}/{Http.RouteTable.Prefix} (serve's host, with the in-process Durable Task engine)");

        output.WriteLine();
        output.WriteLine($"== 3. retrain through the API: curl -s -X POST {baseUrl}/api/retrain -H 'Content-Type: application/json' -d '{{}}', then GET the status it names");
        var status = await RetrainAsync(http, output, cancellationToken).ConfigureAwait(false);
        var runId = status.TryGetProperty("runId", out var r) ? r.GetString() : null;
        var record = runId is null ? null : await ReadRunRecordAsync(store, runId, cancellationToken).ConfigureAwait(false);
        PrintRun(output, status, record, cli);
        if (!await HasLiveModelAsync(http, cancellationToken).ConfigureAwait(false))
        {
            output.WriteLine("no model is live, so there is nothing to recommend with; the run record above says why.");
            return 1;
        }

        output.WriteLine();
        output.WriteLine("== 4. the API, call by call (copy any curl line into another terminal while the demo serves)");
        var visitor = string.Create(CultureInfo.InvariantCulture, $"visitor-{timeProvider.GetUtcNow():HHmmss}");
        var before = await CallAsync(http, output, baseUrl, HttpMethod.Post, "api/recommendations", $$"""{"userId":"{{visitor}}","k":5}""", cancellationToken).ConfigureAwait(false);
        PrintItems(output, before);
        var clicked = before.GetProperty("items")[0].GetProperty("itemId").GetString()!;
        var posted = await CallAsync(http, output, baseUrl, HttpMethod.Post, "api/events", $$"""{"events":[{"userId":"{{visitor}}","itemId":"{{clicked}}","type":"click"}]}""", cancellationToken).ConfigureAwait(false);
        output.WriteLine($"     → accepted {posted.GetProperty("accepted").GetInt32()} event; the history of {visitor} now holds it");
        var after = await CallAsync(http, output, baseUrl, HttpMethod.Post, "api/recommendations", $$"""{"userId":"{{visitor}}","k":5,"explain":true}""", cancellationToken).ConfigureAwait(false);
        PrintItems(output, after);
        var similar = await CallAsync(http, output, baseUrl, HttpMethod.Get, $"api/items/{Uri.EscapeDataString(clicked)}/similar?k=5", null, cancellationToken).ConfigureAwait(false);
        PrintItems(output, similar, source: false);
        await CallAsync(http, output, baseUrl, HttpMethod.Get, "api/health", null, cancellationToken).ConfigureAwait(false);

        output.WriteLine();
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"done in {total.Elapsed.TotalSeconds:F0} s. The CLI works on the same store too: serverlessrec recommend --user u1 --explain"));
        if (exit)
        {
            var root = cli.LocalRoot is { } local ? $" --root {local}" : string.Empty;
            output.WriteLine($"The sample storefront (catalog, \"For you\" with explanations, similar items) on this store: serverlessrec serve --sample{root}, then open the page it prints.");
            await app.StopAsync(CancellationToken.None).ConfigureAwait(false);
            return 0;
        }

        if (sampleFolder is not null)
        {
            output.WriteLine();
            output.WriteLine($"== 5. the sample storefront: open {baseUrl}/ in a browser (choose an item: the \"For you\" row changes and says why)");
        }

        output.WriteLine($"serving {baseUrl}/api until Ctrl+C (POST /api/retrain again after posting events to train on them).");
        await app.WaitForShutdownAsync(cancellationToken).ConfigureAwait(false);
        output.WriteLine("stopped.");
        return 0;
    }

    /// <summary>Starts the retraining over HTTP and prints each step as the orchestration reaches it.</summary>
    private static async Task<JsonElement> RetrainAsync(HttpClient http, TextWriter output, CancellationToken cancellationToken)
    {
        var watch = Stopwatch.StartNew();
        using var start = new StringContent("{}", Encoding.UTF8, "application/json");
        using (var started = await http.PostAsync(new Uri("api/retrain", UriKind.Relative), start, cancellationToken).ConfigureAwait(false))
        {
            if (started.StatusCode is not (HttpStatusCode.Accepted or HttpStatusCode.Conflict))
            {
                throw new InvalidOperationException($"POST /api/retrain answered {(int)started.StatusCode}: {await started.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false)}");
            }
        }

        string? lastStep = null;
        while (true)
        {
            using var response = await http.GetAsync(new Uri("api/retrain/" + RetrainScheduler.InstanceId, UriKind.Relative), cancellationToken).ConfigureAwait(false);
            var status = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false)).RootElement.Clone();
            var state = status.GetProperty("status").GetString();
            if (state is not ("running" or "pending"))
            {
                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"   [{watch.Elapsed.TotalSeconds,5:F1} s] {state}"));
                return status;
            }

            var step = status.TryGetProperty("step", out var s) ? s.GetString() : null;
            if (step is not null && step != lastStep)
            {
                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"   [{watch.Elapsed.TotalSeconds,5:F1} s] {step}"));
                lastStep = step;
            }

            if (watch.Elapsed > RetrainTimeout)
            {
                throw new TimeoutException($"the retraining is still {state} after {RetrainTimeout.TotalMinutes:F0} minutes");
            }

            await Task.Delay(250, cancellationToken).ConfigureAwait(false);
        }
    }

    private static void PrintRun(TextWriter output, JsonElement status, RetrainRunRecord? record, CliStore store)
    {
        var outcome = status.TryGetProperty("outcome", out var o) ? o.GetString() : status.GetProperty("status").GetString();
        var reason = status.TryGetProperty("reason", out var why) ? why.GetString() : null;
        if (record is not null)
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"   logs: {record.Lines:N0} lines, {record.Accepted:N0} accepted, {record.Rejected:N0} quarantined ({IngestSummary.FormatReasons(record.RejectedByReason)})"));
            if (record.Dataset is { } d)
            {
                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"   dataset: {d.Users:N0} users, {d.Items:N0} items, {d.Events:N0} events; {record.SeededUsers:N0} serving histories brought up to date"));
            }

            if (record.Training is { } t)
            {
                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"   training: best epoch {t.BestEpoch}, {t.ExamplesPerSecond:N0} examples/s"));
            }

            if (record.Evaluation is { } e)
            {
                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"   gate (shipped model, TEST) NDCG@10: two-tower {e.Candidate.NdcgAt10:F4} vs popularity {e.Popularity.NdcgAt10:F4}{(e.Live is { } live ? $" vs live model {live.NdcgAt10:F4}" : string.Empty)}; HR@10 {e.Candidate.HitRateAt10:F4} vs {e.Popularity.HitRateAt10:F4}; coverage@10 {e.Candidate.CoverageAt10:F3} vs {e.Popularity.CoverageAt10:F3}"));
            }

            var report = record.Version is { } v
                ? store.Where(ContainerNames.Models, $"{v}/{RetrainReport.FileName}")
                : store.Where(ContainerNames.Runs, $"{RetrainActivities.ReportsFolder}/{record.RunId}.html");
            output.WriteLine($"   report with loss and validation curves: {report}");
        }

        output.WriteLine(outcome == "activated"
            ? $"   model {status.GetProperty("version").GetString()} is live ({reason})"
            : $"   no new model: {outcome} ({reason}); the live model, if any, keeps serving");
    }

    private static async Task<RetrainRunRecord?> ReadRunRecordAsync(IBlobStore store, string runId, CancellationToken cancellationToken)
    {
        var blob = await store.ReadAsync(ContainerNames.Runs, runId + ".json", cancellationToken).ConfigureAwait(false);
        return blob is null ? null : JsonSerializer.Deserialize<RetrainRunRecord>(blob.Content.Span);
    }

    private static async Task<bool> HasLiveModelAsync(HttpClient http, CancellationToken cancellationToken)
    {
        using var health = await http.GetAsync(new Uri("api/health", UriKind.Relative), cancellationToken).ConfigureAwait(false);
        return health.IsSuccessStatusCode;
    }

    /// <summary>Makes one API call, printing it as the equivalent curl command first; fails on a non-success answer.</summary>
    private static async Task<JsonElement> CallAsync(HttpClient http, TextWriter output, string baseUrl, HttpMethod method, string path, string? json, CancellationToken cancellationToken)
    {
        output.WriteLine();
        output.WriteLine(json is null
            ? $"   curl -s '{baseUrl}/{path}'"
            : $"   curl -s -X {method.Method} {baseUrl}/{path} -H 'Content-Type: application/json' -d '{json}'");
        using var request = new HttpRequestMessage(method, new Uri(path, UriKind.Relative));
        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        }

        using var response = await http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"{method.Method} /{path} answered {(int)response.StatusCode}: {text}");
        }

        var body = JsonDocument.Parse(text).RootElement.Clone();
        if (path == "api/health")
        {
            output.WriteLine($"     → {text}");
        }

        return body;
    }

    private static async Task EnsureLogsAsync(IBlobStore store, SyntheticLogOptions synthetic, bool fresh, TextWriter output, CancellationToken cancellationToken)
    {
        var existing = 0;
        await foreach (var _ in store.ListAsync(ContainerNames.Events, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            existing++;
        }

        if (existing > 0 && !fresh)
        {
            output.WriteLine($"   reusing {existing} log file(s) already in events/ (--fresh to regenerate)");
            return;
        }

        if (fresh)
        {
            foreach (var container in new[] { ContainerNames.Events, ContainerNames.Catalog })
            {
                var names = new List<string>();
                await foreach (var blob in store.ListAsync(container, cancellationToken: cancellationToken).ConfigureAwait(false))
                {
                    names.Add(blob.Name);
                }

                foreach (var name in names)
                {
                    await store.DeleteAsync(container, name, cancellationToken: cancellationToken).ConfigureAwait(false);
                }
            }
        }

        var generator = new SyntheticLogGenerator(synthetic);
        var summary = await generator.WriteToStoreAsync(store, cancellationToken: cancellationToken).ConfigureAwait(false);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"   generated {summary.Events:N0} events of {synthetic.Users:N0} users over {synthetic.Items:N0} items, plus {summary.BadLines:N0} malformed lines, into {summary.Files.Count} file(s) under events/ and catalog/items.jsonl"));
    }

    private static void PrintItems(TextWriter output, JsonElement response, bool source = true)
    {
        var from = source && response.TryGetProperty("source", out var s) ? s.GetString() : null;
        output.WriteLine($"     → {(from is null ? string.Empty : from + " items, ")}model {response.GetProperty("modelVersion").GetString()}:");
        foreach (var item in response.GetProperty("items").EnumerateArray())
        {
            var because = item.TryGetProperty("because", out var b) && b.ValueKind == JsonValueKind.Array && b.GetArrayLength() > 0
                ? "  because of " + string.Join(", ", b.EnumerateArray().Select(x => x.GetString()))
                : string.Empty;
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"       {item.GetProperty("itemId").GetString(),-12} {item.GetProperty("score").GetDouble(),8:F4}{because}"));
        }
    }
}
