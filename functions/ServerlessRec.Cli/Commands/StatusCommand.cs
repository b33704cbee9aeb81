using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using ServerlessRec.Cli.Settings;
using ServerlessRec.Evaluation;
using ServerlessRec.Http;
using ServerlessRec.Pipeline;

namespace ServerlessRec.Cli.Commands;

/// <summary><c>serverlessrec status [--json]</c>: the live version, the kept versions with their metrics and the last runs, as <c>GET /api/status</c> answers.</summary>
internal sealed class StatusCommand : CliCommand
{
    private readonly Option<bool> _json = new("--json") { Description = "Print the body GET /api/status answers instead of text." };
    private readonly Option<int> _runs = CliOptions.Number("--runs", "How many of the last runs to list", ModelAdministration.DefaultRuns, 0, ModelEndpoints.MaxRuns);
    private readonly StoreOption _store;

    public StatusCommand(CliContext context)
        : base(context, "status", "Show the live model version, the kept versions with their metrics, and the last runs (retrainings and rollbacks).")
    {
        _store = new StoreOption(context);
        Options.Add(_json);
        Options.Add(_runs);
        Options.Add(_store.Option);
    }

    protected override async Task<int> RunAsync(ParseResult parse, TextWriter output, CancellationToken cancellationToken)
    {
        var json = parse.GetValue(_json);
        var runs = parse.GetValue(_runs);
        var cli = _store.Open(parse);
        var search = SearchConfiguration.Read(Context.Configuration);

        var administration = new ModelAdministration(cli.Store, SearchConfiguration.CreateIndexVerifier(cli.Store, search), Context.Time);
        var status = await administration.GetStatusAsync(runs, cancellationToken).ConfigureAwait(false);
        if (json)
        {
            // The same body as GET /api/status, so scripts can use either.
            output.WriteLine(JsonSerializer.Serialize(status, ApiJsonContext.Default.ModelStatus));
            return 0;
        }

        output.WriteLine(cli.Banner);
        Write(status, output);
        return 0;
    }

    internal static void Write(ModelStatus status, TextWriter output)
    {
        var live = status.Live;
        output.WriteLine(live is null
            ? "live: none (no model has been activated)"
            : $"live: {live.Version} since {live.ActivatedAt.ToString("u", CultureInfo.InvariantCulture)} by {live.Trigger ?? "retrain"}"
                + (live.ActivatedBy is { Length: > 0 } by ? $" ({by})" : string.Empty)
                + (live.PreviousVersion is { } previous ? $"; before it: {previous}" : string.Empty)
                + (live.Reason is { Length: > 0 } reason ? $"; reason: {reason}" : string.Empty));
        if (status.Challenger is { } challenger)
        {
            output.WriteLine($"challenger: {challenger.Version} for {challenger.Share.ToString("P1", CultureInfo.InvariantCulture)} of the users since {challenger.StartedAt.ToString("u", CultureInfo.InvariantCulture)}"
                + (challenger.RequestedBy is { Length: > 0 } starter ? $" ({starter})" : string.Empty)
                + (challenger.Reason is { Length: > 0 } why ? $"; reason: {why}" : string.Empty));
        }

        if (status.LastPromotion is { } promotion)
        {
            output.WriteLine($"last promotion: {promotion.Version ?? "-"} at {promotion.Started?.ToString("u", CultureInfo.InvariantCulture) ?? "-"} ({promotion.RunId}): {promotion.Reason}");
        }

        output.WriteLine();
        output.WriteLine($"kept versions ({status.Versions.Count}):");
        output.WriteLine($"  {"",1} {"version",-24} {"created",-20} {"items",8} {"NDCG@10",8} {"HR@10",8} {"pop NDCG@10",11}");
        foreach (var v in status.Versions)
        {
            var model = v.Metrics.GetValueOrDefault(ModelMetricKeys.Model) ?? v.Metrics.GetValueOrDefault(ModelMetricKeys.LegacyModel);
            var popularity = v.Metrics.GetValueOrDefault(ModelMetricKeys.Popularity) ?? v.Metrics.GetValueOrDefault(ModelMetricKeys.LegacyPopularity);
            output.WriteLine(v.Problem is { } problem
                ? $"  {(v.Live ? "*" : " ")} {v.Version,-24} {problem}"
                : $"  {(v.Live ? "*" : " ")} {v.Version,-24} {v.Created?.ToString("u", CultureInfo.InvariantCulture),-20} {v.Items,8} {Metric(model?.NdcgAt10),8} {Metric(model?.HitRateAt10),8} {Metric(popularity?.NdcgAt10),11}");
        }

        output.WriteLine();
        output.WriteLine($"last runs ({status.Runs.Count}):");
        foreach (var run in status.Runs)
        {
            output.WriteLine($"  {run.RunId,-32} {run.Trigger,-8} {run.Outcome.ToWireName(),-10} {run.Version ?? "-",-24} {run.Reason}");
        }
    }

    private static string Metric(double? value) => value is { } v ? v.ToString("F4", CultureInfo.InvariantCulture) : "-";
}
