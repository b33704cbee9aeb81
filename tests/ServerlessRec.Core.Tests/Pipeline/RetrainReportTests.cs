using System.Text.RegularExpressions;
using System.Xml.Linq;
using ServerlessRec.Evaluation;
using ServerlessRec.Pipeline;

namespace ServerlessRec.Core.Tests.Pipeline;

public sealed class RetrainReportTests
{
    private static readonly DateTimeOffset Started = new(2026, 3, 1, 2, 0, 0, TimeSpan.Zero);

    private static RetrainRunRecord Record(string reason = "beats popularity") => new()
    {
        RunId = "20260301-020000-abcdef",
        Trigger = "timer",
        Started = Started,
        Finished = Started.AddSeconds(42),
        Outcome = RunOutcome.Activated,
        Version = "20260301-020000-abcdef",
        Reason = reason,
        Lines = 1_000,
        Accepted = 990,
        Rejected = 10,
        RejectedByReason = new Dictionary<string, long> { ["bad-json"] = 7, ["unknown-type"] = 3 },
        Dataset = new DatasetSummary(100, 50, 990, 80, 12, 1),
        Training = new TrainResult(3, 0.21, [5.1, 4.2, 3.9, 3.8, 3.8], [0.10, 0.18, 0.21, 0.20, 0.19], 12_345, "t", "f"),
        Evaluation = new EvaluateResult(true, reason, new RankingMetrics { Users = 80, NdcgAt10 = 0.21 }, new RankingMetrics { Users = 80, NdcgAt10 = 0.05 }, null, null),
        StepSeconds = new Dictionary<string, double> { ["train"] = 30.5, ["activate"] = 0.2 },
    };

    [Fact]
    public void ToHtml_Curves_OnePointPerEpochInEachChart()
    {
        var html = RetrainReport.ToHtml(Record());

        var polylines = Regex.Matches(html, "<polyline [^>]*points=\"([^\"]*)\"");
        Assert.Equal(2, polylines.Count);
        Assert.All(polylines, p => Assert.Equal(5, p.Groups[1].Value.Split(' ').Length));
        Assert.Contains("epoch 3: 0.21", html, StringComparison.Ordinal);
    }

    [Fact]
    public void ToHtml_DataAndMetrics_ShowQuarantineCountsAndGateNumbers()
    {
        var html = RetrainReport.ToHtml(Record());

        Assert.Contains("<td>bad-json</td><td>7</td>", html, StringComparison.Ordinal);
        Assert.Contains("<td>unknown-type</td><td>3</td>", html, StringComparison.Ordinal);
        Assert.Contains("<td>candidate (two-tower)</td><td>80</td>", html, StringComparison.Ordinal);
        Assert.Contains("0.2100", html, StringComparison.Ordinal);
        Assert.Contains("<td>train</td><td>30.5</td>", html, StringComparison.Ordinal);
    }

    [Fact]
    public void ToHtml_TextFromData_IsEncoded()
    {
        var html = RetrainReport.ToHtml(Record(reason: "<script>alert(1)</script>"));

        Assert.DoesNotContain("<script>", html, StringComparison.Ordinal);
        Assert.Contains("&lt;script&gt;", html, StringComparison.Ordinal);
    }

    [Fact]
    public void ToHtml_Svg_IsWellFormedXml()
    {
        var html = RetrainReport.ToHtml(Record());

        foreach (Match svg in Regex.Matches(html, "<svg .*?</svg>", RegexOptions.Singleline))
        {
            var element = XElement.Parse(svg.Value);
            Assert.Equal("svg", element.Name.LocalName);
        }
    }

    [Fact]
    public void ToHtml_RejectedRunWithoutTraining_StillRenders()
    {
        var record = Record() with { Outcome = RunOutcome.NoData, Version = null, Training = null, Evaluation = null, Dataset = null };

        var html = RetrainReport.ToHtml(record);

        Assert.Contains("Retraining run 20260301-020000-abcdef", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<svg", html, StringComparison.Ordinal);
    }
}
