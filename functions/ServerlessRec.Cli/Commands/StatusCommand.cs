using System.Globalization;
using System.Text.Json;
using ServerlessRec.Http;
using ServerlessRec.Pipeline;

namespace ServerlessRec.Cli.Commands;

/// <summary><c>serverlessrec status [--json]</c>: the live version, the kept versions with their metrics and the last runs, as <c>GET /api/status</c> answers.</summary>
internal sealed class StatusCommand(TimeProvider timeProvider) : ICliCommand
{
    public string Name => "status";

    public string Usage => "[--json] [--runs 10] [--root DIR]";

    public string Summary => "Show the live model version, the kept versions with their metrics, and the last runs (retrainings and rollbacks).";

    public async Task<int> RunAsync(CliArguments args, TextWriter output, CancellationToken cancellationToken)
    {
        var json = args.Flag("json");
        var runs = args.Int("runs", ModelAdministration.DefaultRuns, min: 0, max: ModelEndpoints.MaxRuns);
        var cli = CliConfiguration.OpenStore(args);
        var search = SearchConfiguration.Read(args.Configuration);
        args.EnsureAllRead();

        var administration = new ModelAdministration(cli.Store, SearchConfiguration.CreateIndexVerifier(cli.Store, search), timeProvider);
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
        output.WriteLine();
        output.WriteLine($"kept versions ({status.Versions.Count}):");
        output.WriteLine($"  {"",1} {"version",-24} {"created",-20} {"items",8} {"NDCG@10",8} {"HR@10",8} {"pop NDCG@10",11}");
        foreach (var v in status.Versions)
        {
            var model = v.Metrics.GetValueOrDefault("validation.model");
            var popularity = v.Metrics.GetValueOrDefault("validation.popularity");
            output.WriteLine(v.Problem is { } problem
                ? $"  {(v.Live ? "*" : " ")} {v.Version,-24} {problem}"
                : $"  {(v.Live ? "*" : " ")} {v.Version,-24} {v.Created?.ToString("u", CultureInfo.InvariantCulture),-20} {v.Items,8} {Metric(model?.NdcgAt10),8} {Metric(model?.HitRateAt10),8} {Metric(popularity?.NdcgAt10),11}");
        }

        output.WriteLine();
        output.WriteLine($"last runs ({status.Runs.Count}):");
        foreach (var run in status.Runs)
        {
            output.WriteLine($"  {run.RunId,-32} {run.Trigger,-8} {run.Outcome,-10} {run.Version ?? "-",-24} {run.Reason}");
        }
    }

    private static string Metric(double? value) => value is { } v ? v.ToString("F4", CultureInfo.InvariantCulture) : "-";
}
