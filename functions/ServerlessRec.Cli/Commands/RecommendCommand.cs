using System.Globalization;
using System.Text.Json;
using ServerlessRec.Serving;
using ServerlessRec.Storage;

namespace ServerlessRec.Cli.Commands;

/// <summary><c>serverlessrec recommend</c>: ranks items for a user with the live model of the local store.</summary>
internal sealed class RecommendCommand(TimeProvider timeProvider) : ICliCommand
{
    private static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = true };

    public string Name => "recommend";

    public string Usage => "--user U [--k 10] [--event ITEM:TYPE …] [--save] [--explain] [--category C …] [--diversity 0] [--exploration 0] [--include-seen] [--json] [--root DIR]";

    public string Summary => "Recommend for a user from stored history plus --event ITEM:TYPE events (--save stores them first).";

    public async Task<int> RunAsync(CliArguments args, TextWriter output, CancellationToken cancellationToken)
    {
        var user = args.RequiredString("user");
        var k = args.Int("k", 10, 1, RequestRules.MaxK);
        var events = args.All("event").Select(ParseEvent).ToList();
        var save = args.Flag("save");
        var explain = args.Flag("explain");
        var categories = args.All("category");
        var diversity = args.Double("diversity", 0, 0, 1);
        var exploration = args.Double("exploration", 0, 0, 0.5);
        var includeSeen = args.Flag("include-seen");
        var json = args.Flag("json");
        var cli = CliConfiguration.OpenStore(args);
        var store = cli.Store;
        args.EnsureAllRead();

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
                Filter = categories.Count > 0 ? new RecommendationFilter { Categories = categories } : null,
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
            var because = item.Because is { Count: > 0 } b ? $"  because of {string.Join(", ", b)}" : string.Empty;
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
