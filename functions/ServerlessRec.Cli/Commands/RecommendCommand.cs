using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using ServerlessRec.Cli.Settings;
using ServerlessRec.Serving;

namespace ServerlessRec.Cli.Commands;

/// <summary><c>serverlessrec recommend</c>: ranks items for a user with the live model of the local store.</summary>
internal sealed class RecommendCommand : CliCommand
{
    private static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = true };

    private readonly Option<string> _user = new("--user") { Description = "The user id.", Required = true, HelpName = "U" };
    private readonly Option<int> _k = CliOptions.Number("--k", "How many items.", 10, 1, RequestRules.MaxK);
    private readonly Option<string[]> _event = new("--event") { Description = "A recent event, item and type (repeatable).", HelpName = "ITEM:TYPE" };
    private readonly Option<bool> _save = new("--save") { Description = "Store the --event events in the user's history first." };
    private readonly Option<bool> _explain = new("--explain") { Description = "Say which history items each recommendation comes from." };
    private readonly Option<string[]> _category = new("--category") { Description = "Only items of this category (repeatable).", HelpName = "C" };
    private readonly Option<double> _diversity = CliOptions.Number("--diversity", "Diversity re-ranking weight.", 0.0, 0, 1);
    private readonly Option<double> _exploration = CliOptions.Number("--exploration", "Share of exploration slots.", 0.0, 0, 0.5);
    private readonly Option<bool> _includeSeen = new("--include-seen") { Description = "Keep items the user has already seen." };
    private readonly Option<bool> _json = new("--json") { Description = "Print the API's JSON answer." };
    private readonly StoreOption _store;

    public RecommendCommand(CliContext context)
        : base(context, "recommend", "Recommend for a user from stored history plus --event ITEM:TYPE events (--save stores them first).")
    {
        _store = new StoreOption(context);
        foreach (var option in new Option[] { _user, _k, _event, _save, _explain, _category, _diversity, _exploration, _includeSeen, _json, _store.Option })
        {
            Options.Add(option);
        }
    }

    protected override async Task<int> RunAsync(ParseResult parse, TextWriter output, CancellationToken cancellationToken)
    {
        var user = parse.GetRequiredValue(_user);
        var k = parse.GetValue(_k);
        var events = (parse.GetValue(_event) ?? []).Select(ParseEvent).ToList();
        var save = parse.GetValue(_save);
        var explain = parse.GetValue(_explain);
        var categories = parse.GetValue(_category) ?? [];
        var diversity = parse.GetValue(_diversity);
        var exploration = parse.GetValue(_exploration);
        var includeSeen = parse.GetValue(_includeSeen);
        var json = parse.GetValue(_json);
        var cli = _store.Open(parse);
        var store = cli.Store;
        var timeProvider = Context.Time;

        if (!json)
        {
            output.WriteLine(cli.Banner);
        }

        using var models = new LiveModelProvider(store, timeProvider);
        var histories = new UserHistoryStore(store);
        var service = new RecommenderService(models, histories, timeProvider);
        var now = timeProvider.GetUtcNow();
        if (save && events.Count > 0)
        {
            await histories.AppendAsync(user, events.Select(e => new HistoryEvent { ItemId = e.ItemId!, Type = e.Type!, Timestamp = now }).ToList(), cancellationToken).ConfigureAwait(false);
        }

        var response = await ServingErrors.RunAsync(() => service.RecommendAsync(
            new RecommendationRequest
            {
                UserId = user,
                K = k,
                RecentEvents = save ? [] : events,
                Explain = explain,
                ExcludeSeen = !includeSeen,
                Diversity = diversity,
                Exploration = exploration,
                Filter = categories.Length > 0 ? new RecommendationFilter { Categories = categories } : null,
            },
            cancellationToken)).ConfigureAwait(false);
        Print(output, response, json);
        return 0;
    }

    internal static void Print(TextWriter output, RecommendationResponse response, bool json)
    {
        if (json)
        {
            output.WriteLine(JsonSerializer.Serialize(response, JsonOptions));
            return;
        }

        output.WriteLine($"model {response.ModelVersion}, source {response.Source.ToString().ToLowerInvariant()}");
        var rank = 1;
        foreach (var item in response.Items)
        {
            var because = item.Because is { Count: > 0 } b ? $"  because of {string.Join(", ", b)}"
                : item.Reason switch
                {
                    RecommendationReason.Session => "  (similar to your session)",
                    RecommendationReason.NewItem => "  (new item)",
                    RecommendationReason.Popular => "  (popular)",
                    _ => string.Empty,
                };
            var explore = item.Exploration ? "  (exploration)" : string.Empty;
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{rank++,3}. {item.ItemId,-16} {item.Score,10:F4}{because}{explore}"));
        }
    }

    private static RequestEvent ParseEvent(string text)
    {
        var colon = text.LastIndexOf(':');
        return colon <= 0 || colon == text.Length - 1
            ? throw new CliUsageException($"--event must be ITEM:TYPE (e.g. m318:click), got \"{text}\".")
            : new RequestEvent { ItemId = text[..colon], Type = text[(colon + 1)..] };
    }
}
