using System.Globalization;
using System.Net;
using System.Text;
using ServerlessRec.Evaluation;

namespace ServerlessRec.Pipeline;

/// <summary>
/// Renders a run record as one self-contained HTML page: outcome, data summary with quarantine counts, the loss and
/// validation NDCG@10 curves as inline SVG, the gate's metrics table and the step timings. No scripts, no external
/// resources, every value HTML-encoded: it opens from a blob container or a local folder as is.
/// </summary>
public static class RetrainReport
{
    /// <summary>The report's file name inside <c>models/&lt;version&gt;/</c> and <c>runs/&lt;runId&gt;/</c>.</summary>
    public const string FileName = "report.html";

    private const int ChartWidth = 520;
    private const int ChartHeight = 220;
    private const int Left = 64;
    private const int Right = 16;
    private const int Top = 16;
    private const int Bottom = 36;

    /// <summary>The fewest ticks an axis gets (unless it has fewer epochs than this).</summary>
    internal const int MinTicks = 4;

    /// <summary>The most ticks an axis gets.</summary>
    internal const int MaxTicks = 6;

    /// <summary>Renders the page.</summary>
    public static string ToHtml(RetrainRunRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        var html = new StringBuilder(16_384);
        var title = record.Version is { } v ? $"Model {v}" : $"Retraining run {record.RunId}";
        html.Append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>").Append(E(title)).Append(" · ServerlessRec</title>\n<style>")
            .Append("body{font-family:system-ui,sans-serif;margin:2rem;max-width:1100px;color:#222}")
            .Append("table{border-collapse:collapse;margin:.5rem 0 1.5rem}th,td{border:1px solid #ccc;padding:.25rem .6rem;text-align:right}")
            .Append("th:first-child,td:first-child{text-align:left}.outcome{font-weight:bold}.charts{display:flex;flex-wrap:wrap;gap:1.5rem}")
            .Append("svg text{font-size:11px;fill:#444}</style></head><body>\n");
        html.Append("<h1>").Append(E(title)).Append("</h1>\n<p>Run <code>").Append(E(record.RunId)).Append("</code>, started by ").Append(E(record.Trigger))
            .Append(" at ").Append(E(record.Started.ToString("u", CultureInfo.InvariantCulture)));
        if (record.Finished is { } finished)
        {
            html.Append(", finished after ").Append(N((finished - record.Started).TotalSeconds, "F1")).Append(" s");
        }

        html.Append(".</p>\n<p class=\"outcome\">Outcome: ").Append(E(record.Outcome.ToWireName()));
        if (record.Outcome == RunOutcome.Failed)
        {
            // People read the step and the cause; the step's own message is there for whoever fixes it.
            html.Append(" — ").Append(E(RetrainFailureText.Describe(record))).Append("</p>\n");
            if ((record.FailureMessage ?? record.Reason) is { Length: > 0 } detail)
            {
                html.Append("<details><summary>Technical detail</summary><pre>").Append(E(detail)).Append("</pre></details>\n");
            }
        }
        else
        {
            if (record.Reason is { Length: > 0 } reason)
            {
                html.Append(" — ").Append(E(reason));
            }

            html.Append("</p>\n");
        }

        AppendData(html, record);
        AppendOnlineMetrics(html, record);
        AppendChallenge(html, record);
        AppendTraining(html, record.Training);
        AppendMetrics(html, record.Evaluation);
        if (record.StepSeconds.Count > 0)
        {
            html.Append("<h2>Steps</h2>\n<table><tr><th>step</th><th>seconds</th></tr>\n");
            foreach (var (step, seconds) in record.StepSeconds)
            {
                html.Append("<tr><td>").Append(E(step)).Append("</td><td>").Append(N(seconds, "F1")).Append("</td></tr>\n");
            }

            html.Append("</table>\n");
        }

        html.Append("</body></html>\n");
        return html.ToString();
    }

    private static void AppendData(StringBuilder html, RetrainRunRecord record)
    {
        html.Append("<h2>Data</h2>\n<table><tr><th>log lines</th><th>accepted</th><th>rejected (quarantined)</th></tr>\n<tr><td>")
            .Append(N(record.Lines)).Append("</td><td>").Append(N(record.Accepted)).Append("</td><td>").Append(N(record.Rejected)).Append("</td></tr></table>\n");
        if (record.RejectedByReason.Count > 0)
        {
            html.Append("<table><tr><th>rejection reason</th><th>lines</th></tr>\n");
            foreach (var (code, count) in record.RejectedByReason.OrderByDescending(r => r.Value).ThenBy(r => r.Key, StringComparer.Ordinal))
            {
                html.Append("<tr><td>").Append(E(code)).Append("</td><td>").Append(N(count)).Append("</td></tr>\n");
            }

            html.Append("</table>\n");
        }

        if (record.Dataset is { } d)
        {
            html.Append("<table><tr><th>users</th><th>items</th><th>events</th><th>evaluated users</th><th>forgotten users</th><th>their events excluded</th><th>serving histories updated</th></tr>\n<tr><td>")
                .Append(N(d.Users)).Append("</td><td>").Append(N(d.Items)).Append("</td><td>").Append(N(d.Events)).Append("</td><td>").Append(N(d.EvaluatedUsers))
                .Append("</td><td>").Append(N(d.ForgottenUsers)).Append("</td><td>").Append(N(d.ExcludedEvents)).Append("</td><td>").Append(N(record.SeededUsers))
                .Append("</td></tr></table>\n");
        }

        if (record.Purge is { } purge)
        {
            html.Append("<h2>Erasure of forgotten users</h2>\n<table><tr><th>tombstones</th><th>new since the last purge</th><th>blobs scanned</th><th>blobs rewritten</th><th>lines erased</th><th>API log blobs left for the next run</th></tr>\n<tr><td>")
                .Append(N(purge.Tombstones)).Append("</td><td>").Append(N(purge.NewTombstones)).Append("</td><td>").Append(N(purge.ScannedBlobs)).Append("</td><td>")
                .Append(N(record.PurgedBlobs)).Append("</td><td>").Append(N(record.PurgedLines)).Append("</td><td>").Append(N(purge.PendingBlobs)).Append("</td></tr></table>\n");
        }

        if (record.PurgeError is { } purgeError)
        {
            html.Append("<p>The erasure of forgotten users' lines failed (nothing was deleted; the next run tries again): ").Append(E(purgeError)).Append("</p>\n");
        }

        if (record.QuarantinedUsers > 0)
        {
            html.Append("<p>Users quarantined (left out of a per-user step, listed by hash in <code>quarantine/").Append(E(record.RunId)).Append('/')
                .Append(RetrainActivities.QuarantinedUsersFile).Append("</code>): ").Append(N(record.QuarantinedUsers)).Append(".</p>\n");
        }

        if (record.LiveComparisonSkipped is { } skipped)
        {
            html.Append("<p>Live comparison skipped: ").Append(E(skipped)).Append(".</p>\n");
        }
    }

    private static void AppendOnlineMetrics(StringBuilder html, RetrainRunRecord record)
    {
        if (record.OnlineMetricsError is { } error)
        {
            html.Append("<h2>Online metrics</h2>\n<p>The online metrics could not be computed (the run went on): ").Append(E(error)).Append("</p>\n");
        }

        if (record.ImpressionExpiryError is { } expiry)
        {
            html.Append("<p>Old impression logs could not be deleted (the next run tries again): ").Append(E(expiry)).Append("</p>\n");
        }

        if (record.OnlineMetrics is not { } online)
        {
            return;
        }

        html.Append("<h2>Online metrics</h2>\n<p>Served ").Append(E(online.From.ToString("u", CultureInfo.InvariantCulture))).Append(" to ")
            .Append(E(online.To.ToString("u", CultureInfo.InvariantCulture))).Append(": impressions logged by the server (sampled) or sent by clients, and the events attributed to them by <code>recommendationId</code>.");
        if (online.Groups.Count == 0)
        {
            html.Append(" No impressions in this window.</p>\n");
            return;
        }

        html.Append("</p>\n<table><tr><th>model version</th><th>arm</th><th>source</th><th>responses</th><th>impressions</th><th>clicks@10</th><th>CTR@10</th><th>conversions</th><th>coverage</th><th>exposure Gini</th><th>mean popularity</th></tr>\n");
        foreach (var g in online.Groups)
        {
            html.Append("<tr><td>").Append(E(g.ModelVersion)).Append("</td><td>").Append(E(g.Arm)).Append("</td><td>").Append(E(g.Source)).Append("</td><td>")
                .Append(N(g.Recommendations)).Append("</td><td>").Append(N(g.Impressions)).Append("</td><td>").Append(N(g.ClicksAt10)).Append("</td><td>")
                .Append(N(g.CtrAt10, "P2")).Append("</td><td>").Append(N(g.Conversions)).Append("</td><td>").Append(N(g.Coverage, "P1")).Append(" (").Append(N(g.ExposedItems))
                .Append(" of ").Append(N(g.CatalogItems)).Append(")</td><td>").Append(N(g.ExposureGini, "F3")).Append("</td><td>").Append(N(g.MeanPopularity, "F1")).Append("</td></tr>\n");
        }

        html.Append("</table>\n");
        if (online.UnattributedEvents > 0 || online.UnreadableLines > 0)
        {
            html.Append("<p>Events with a recommendationId of no logged response (not sampled, or served before the window): ").Append(N(online.UnattributedEvents))
                .Append("; unreadable impression log lines: ").Append(N(online.UnreadableLines)).Append(".</p>\n");
        }
    }

    // Champion against challenger: each arm's CTR@10 with its own 95% interval (normal approximation, clamped to [0, 1]),
    // the lift with the interval the verdict is taken on, and what this run did about it.
    private static void AppendChallenge(StringBuilder html, RetrainRunRecord record)
    {
        if (record.OnlineMetrics?.Challenge is not { } c)
        {
            return;
        }

        var championVersions = record.OnlineMetrics.Groups.Where(g => g.Arm == Serving.RecommendationArms.Champion).Select(g => g.ModelVersion).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal);
        html.Append("<h2>Champion/challenger</h2>\n<table><tr><th>arm</th><th>model version</th><th>impressions@10</th><th>clicks@10</th><th>CTR@10</th><th>95% interval</th></tr>\n");
        AppendArm(html, Serving.RecommendationArms.Champion, string.Join(", ", championVersions), c.ChampionImpressions, c.ChampionClicks, c.ChampionCtrAt10);
        AppendArm(html, Serving.RecommendationArms.Challenger, string.Join(", ", c.ChallengerVersions), c.ChallengerImpressions, c.ChallengerClicks, c.ChallengerCtrAt10);
        html.Append("</table>\n<table><tr><th>lift (challenger − champion)</th><th>95% interval</th><th>verdict</th><th>impressions each arm needs</th><th>promoted by this run</th></tr>\n<tr><td>")
            .Append(Points(c.Difference)).Append("</td><td>").Append(Points(c.Low)).Append(" to ").Append(Points(c.High)).Append("</td><td>").Append(E(c.Verdict))
            .Append("</td><td>").Append(N(c.MinImpressions)).Append("</td><td>").Append(record.ChallengerPromotion?.Promoted == true ? "yes" : "no").Append("</td></tr></table>\n<p>")
            .Append(E(c.Reason)).Append(". ");
        if (record.ChallengerPromotion is { } promotion)
        {
            html.Append(promotion.Promoted
                ? $"Promoted automatically (Retrain:AutoPromoteChallenger): {E(promotion.Version)} is live, replacing {E(promotion.PreviousVersion ?? "no live model")}"
                    + (promotion.PromotionRunId is { } id ? $" (record <code>{E(id)}</code>)" : string.Empty)
                    + "; this run's candidate was gated against it."
                : $"Not promoted automatically: {E(promotion.Reason)}.");
        }
        else if (record.ChallengerPromotionError is { } error)
        {
            html.Append("The automatic promotion failed (the run went on against the live model): ").Append(E(error)).Append('.');
        }
        else if (c.Verdict == ChallengerVerdicts.Better)
        {
            html.Append(c.ChallengerVersions.Count > 1
                ? "Not promoted automatically: the window saw more than one challenger version."
                : "Not promoted automatically (Retrain:AutoPromoteChallenger is off): promote with <code>POST /api/models/challenger/promote</code> or <code>serverlessrec challenge --promote</code>.");
        }
        else
        {
            html.Append("Not promoted: only a <code>better</code> verdict promotes.");
        }

        html.Append("</p>\n");
    }

    private static void AppendArm(StringBuilder html, string arm, string versions, long impressions, long clicks, double ctr)
    {
        var half = impressions == 0 ? 0 : ChallengerComparison.Z95 * Math.Sqrt(ctr * (1 - ctr) / impressions);
        html.Append("<tr><td>").Append(E(arm)).Append("</td><td>").Append(E(versions)).Append("</td><td>").Append(N(impressions)).Append("</td><td>").Append(N(clicks))
            .Append("</td><td>").Append(N(ctr, "P2")).Append("</td><td>").Append(N(Math.Max(0, ctr - half), "P2")).Append(" to ").Append(N(Math.Min(1, ctr + half), "P2")).Append("</td></tr>\n");
    }

    // A CTR difference in percentage points, signed.
    private static string Points(double difference) => N(difference * 100, "+0.00;-0.00;0.00") + " pts";

    private static void AppendTraining(StringBuilder html, TrainResult? training)
    {
        if (training is null)
        {
            return;
        }

        html.Append("<h2>Training</h2>\n<p>Best epoch ").Append(training.BestEpoch).Append(" with validation NDCG@10 ").Append(N(training.ValidationNdcgAt10, "F4"))
            .Append(", ").Append(N(training.ExamplesPerSecond, "N0")).Append(" examples/s.</p>\n<div class=\"charts\">\n");
        AppendChart(html, "Training loss per epoch", "loss", training.Losses, bestEpoch: null);
        AppendChart(html, "Validation NDCG@10 per epoch", "NDCG@10", training.ValidationCurve, training.BestEpoch);
        html.Append("</div>\n");
    }

    /// <summary>An SVG line chart of one value per epoch (epoch 1 first), the best epoch ringed.</summary>
    private static void AppendChart(StringBuilder html, string title, string label, IReadOnlyList<double> values, int? bestEpoch)
    {
        var points = values.Select((value, i) => (Epoch: i + 1, Value: value)).Where(p => double.IsFinite(p.Value)).ToList();
        html.Append("<figure><svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").Append(ChartWidth).Append("\" height=\"").Append(ChartHeight)
            .Append("\" role=\"img\" aria-label=\"").Append(E(title)).Append("\">\n");
        var plotWidth = ChartWidth - Left - Right;
        var plotHeight = ChartHeight - Top - Bottom;
        html.Append("<rect x=\"").Append(Left).Append("\" y=\"").Append(Top).Append("\" width=\"").Append(plotWidth).Append("\" height=\"").Append(plotHeight)
            .Append("\" fill=\"none\" stroke=\"#bbb\"/>\n");
        if (points.Count == 0)
        {
            html.Append("<text x=\"").Append(Left + 8).Append("\" y=\"").Append(Top + 20).Append("\">no values</text>");
        }
        else
        {
            var (yMin, yMax, yStep) = NiceTicks(points.Min(p => p.Value), points.Max(p => p.Value), integers: false);
            var lastEpoch = points[^1].Epoch;
            var (xMin, xMax, xStep) = lastEpoch <= MaxTicks
                ? (1, Math.Max(2, lastEpoch), 1)
                : NiceTicks(1, lastEpoch, integers: true);
            double X(double epoch) => Left + (plotWidth * (epoch - xMin) / (xMax - xMin));
            double Y(double value) => Top + (plotHeight * (yMax - value) / (yMax - yMin));

            // Grid lines and labels at round values, so a reader can read a point off the chart.
            foreach (var tick in Ticks(yMin, yMax, yStep))
            {
                var y = N(Y(tick), "F1");
                html.Append("<line class=\"grid\" x1=\"").Append(Left).Append("\" y1=\"").Append(y).Append("\" x2=\"").Append(Left + plotWidth).Append("\" y2=\"").Append(y)
                    .Append("\" stroke=\"#eee\"/>\n<text class=\"tick-y\" x=\"").Append(Left - 6).Append("\" y=\"").Append(y).Append("\" dy=\"4\" text-anchor=\"end\">")
                    .Append(TickLabel(tick, yStep)).Append("</text>\n");
            }

            foreach (var tick in Ticks(xMin, xMax, xStep).Where(t => t <= lastEpoch || lastEpoch > MaxTicks))
            {
                var x = N(X(tick), "F1");
                html.Append("<line class=\"grid\" x1=\"").Append(x).Append("\" y1=\"").Append(Top).Append("\" x2=\"").Append(x).Append("\" y2=\"").Append(Top + plotHeight)
                    .Append("\" stroke=\"#eee\"/>\n<text class=\"tick-x\" x=\"").Append(x).Append("\" y=\"").Append(ChartHeight - Bottom + 14).Append("\" text-anchor=\"middle\">")
                    .Append(TickLabel(tick, xStep)).Append("</text>\n");
            }

            html.Append("<polyline fill=\"none\" stroke=\"#1f6fb2\" stroke-width=\"2\" points=\"")
                .AppendJoin(' ', points.Select(p => N(X(p.Epoch), "F1") + "," + N(Y(p.Value), "F1"))).Append("\"/>\n");
            foreach (var (epoch, value) in points)
            {
                var best = epoch == bestEpoch;
                html.Append("<circle cx=\"").Append(N(X(epoch), "F1")).Append("\" cy=\"").Append(N(Y(value), "F1")).Append("\" r=\"").Append(best ? 6 : 3)
                    .Append(best ? "\" fill=\"none\" stroke=\"#c0392b\" stroke-width=\"2\">" : "\" fill=\"#1f6fb2\">")
                    .Append("<title>epoch ").Append(epoch).Append(": ").Append(N(value, "G5")).Append("</title></circle>\n");
            }
        }

        html.Append("<text x=\"").Append(Left + (plotWidth / 2)).Append("\" y=\"").Append(ChartHeight - 4).Append("\" text-anchor=\"middle\">epoch</text>\n");
        html.Append("<text x=\"12\" y=\"").Append(Top + (plotHeight / 2)).Append("\" transform=\"rotate(-90 12 ").Append(Top + (plotHeight / 2)).Append(")\" text-anchor=\"middle\">")
            .Append(E(label)).Append("</text>\n</svg><figcaption>").Append(E(title)).Append("</figcaption></figure>\n");
    }

    /// <summary>
    /// Round axis ticks covering [<paramref name="min"/>, <paramref name="max"/>]: a step of 1, 2, 2.5 or 5 times a power of
    /// ten (whole numbers only when <paramref name="integers"/>) that gives <see cref="MinTicks"/> to <see cref="MaxTicks"/>
    /// ticks, the tightest such cover first. Returns the axis range (the first and last tick) and the step.
    /// </summary>
    internal static (double Min, double Max, double Step) NiceTicks(double min, double max, bool integers)
    {
        if (max - min < 1e-12)
        {
            var pad = Math.Abs(min) > 1e-12 ? Math.Abs(min) * 0.1 : 0.5;
            (min, max) = (min - pad, max + pad);
        }

        (double Min, double Max, double Step, int Count)? best = null;
        var exponent = (int)Math.Floor(Math.Log10(max - min)) - 2;
        for (var e = exponent; e <= exponent + 3; e++)
        {
            foreach (var mantissa in (ReadOnlySpan<double>)[1, 2, 2.5, 5])
            {
                var step = mantissa * Math.Pow(10, e);
                if (integers && (step < 1 || Math.Abs(step - Math.Round(step)) > 1e-9))
                {
                    continue;
                }

                var low = Math.Floor((min / step) + 1e-9) * step;
                var high = Math.Ceiling((max / step) - 1e-9) * step;
                var count = (int)Math.Round((high - low) / step) + 1;
                if (count is < MinTicks or > MaxTicks)
                {
                    continue;
                }

                if (best is null || high - low < best.Value.Max - best.Value.Min - 1e-12)
                {
                    best = (low, high, step, count);
                }
            }
        }

        if (best is { } found)
        {
            return (found.Min, found.Max, found.Step);
        }

        var fallback = (max - min) / (MaxTicks - 1);
        return (min, max, integers ? Math.Max(1, Math.Ceiling(fallback)) : fallback);
    }

    private static IEnumerable<double> Ticks(double min, double max, double step)
    {
        var count = (int)Math.Round((max - min) / step);
        for (var i = 0; i <= count; i++)
        {
            yield return min + (i * step);
        }
    }

    /// <summary>A tick label with as many decimals as the step needs (0.25 → 2, 0.5 → 1, 5 → 0), never "-0".</summary>
    private static string TickLabel(double value, double step)
    {
        var decimals = 0;
        while (decimals < 6 && Math.Abs((step * Math.Pow(10, decimals)) - Math.Round(step * Math.Pow(10, decimals))) > 1e-6)
        {
            decimals++;
        }

        var rounded = Math.Round(value, decimals);
        return (rounded == 0 ? 0 : rounded).ToString("F" + decimals.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
    }

    private static void AppendMetrics(StringBuilder html, EvaluateResult? evaluation)
    {
        if (evaluation is null)
        {
            return;
        }

        html.Append("<h2>Promotion gate (shipped model on the TEST slice)</h2>\n<p>").Append(E(evaluation.Reason)).Append("</p>\n")
            .Append("<table><tr><th>model</th><th>users</th><th>HR@10</th><th>HR@20</th><th>NDCG@10</th><th>NDCG@20</th><th>MRR</th><th>coverage@10</th></tr>\n");
        AppendMetricsRow(html, "candidate (two-tower)", evaluation.Candidate);
        AppendMetricsRow(html, "popularity", evaluation.Popularity);
        if (evaluation.Live is { } live)
        {
            AppendMetricsRow(html, $"live model {evaluation.LiveVersion}", live);
        }

        html.Append("</table>\n");
    }

    private static void AppendMetricsRow(StringBuilder html, string name, RankingMetrics m) =>
        html.Append("<tr><td>").Append(E(name)).Append("</td><td>").Append(N(m.Users)).Append("</td><td>").Append(N(m.HitRateAt10, "F4")).Append("</td><td>")
            .Append(N(m.HitRateAt20, "F4")).Append("</td><td>").Append(N(m.NdcgAt10, "F4")).Append("</td><td>").Append(N(m.NdcgAt20, "F4")).Append("</td><td>")
            .Append(N(m.Mrr, "F4")).Append("</td><td>").Append(N(m.CoverageAt10, "F3")).Append("</td></tr>\n");

    private static string E(string? text) => WebUtility.HtmlEncode(text ?? string.Empty);

    private static string N(double value, string format) => value.ToString(format, CultureInfo.InvariantCulture);

    private static string N(long value) => value.ToString("N0", CultureInfo.InvariantCulture);
}
