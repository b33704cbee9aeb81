using System.Globalization;
using System.Text.RegularExpressions;
using ServerlessRec.Pipeline;

namespace ServerlessRec.Core.Tests.Pipeline;

/// <summary>The run report is read by people: charts have round, labelled ticks; a failed run says what failed in plain words.</summary>
public sealed class RetrainReportReadabilityTests
{
    private static readonly DateTimeOffset Started = new(2026, 3, 1, 2, 0, 0, TimeSpan.Zero);

    [Fact]
    public void ToHtml_Charts_HaveFourToSixRoundLabelledTicksOnEachAxis()
    {
        var losses = new[] { 5.13, 4.27, 3.91, 3.84, 3.79, 3.77, 3.76, 3.76, 3.75, 3.75, 3.74, 3.74 };
        var ndcg = new[] { 0.103, 0.181, 0.212, 0.219, 0.221, 0.2205, 0.219, 0.218, 0.217, 0.2169, 0.2168, 0.2167 };
        var record = Record() with { Training = new TrainResult(5, 0.221, losses, ndcg, 1000, "t", "f") };

        var html = RetrainReport.ToHtml(record);

        var charts = Regex.Matches(html, "<svg .*?</svg>", RegexOptions.Singleline);
        Assert.Equal(2, charts.Count);
        foreach (Match chart in charts)
        {
            foreach (var axis in new[] { "tick-x", "tick-y" })
            {
                var labels = Regex.Matches(chart.Value, $"<text class=\"{axis}\"[^>]*>([^<]*)</text>").Select(m => double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)).ToList();
                Assert.InRange(labels.Count, 4, 6);
                var step = labels[1] - labels[0];
                Assert.All(labels.Zip(labels.Skip(1)), pair => Assert.Equal(step, pair.Second - pair.First, 9));
                var mantissa = step / Math.Pow(10, Math.Floor(Math.Log10(step)));
                Assert.Contains(Math.Round(mantissa, 6), new[] { 1, 2, 2.5, 5 });
            }
        }

        // The loss axis covers 3.74..5.13 with round labels, not the raw min and max.
        Assert.Contains(">3.5</text>", charts[0].Value, StringComparison.Ordinal);
        Assert.Contains(">5.5</text>", charts[0].Value, StringComparison.Ordinal);
        Assert.DoesNotContain(">5.13</text>", charts[0].Value, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0.103, 0.221, false)]
    [InlineData(3.74, 5.13, false)]
    [InlineData(1, 37, true)]
    [InlineData(1, 7, true)]
    [InlineData(0.2, 0.2, false)]
    [InlineData(-0.004, 0.0123, false)]
    public void NiceTicks_AnyRange_CoversItWithFourToSixRoundSteps(double min, double max, bool integers)
    {
        var (low, high, step) = RetrainReport.NiceTicks(min, max, integers);

        Assert.True(low <= min && high >= max, $"{low}..{high} does not cover {min}..{max}");
        Assert.InRange((int)Math.Round((high - low) / step) + 1, RetrainReport.MinTicks, RetrainReport.MaxTicks);
        if (integers)
        {
            Assert.Equal(Math.Round(step), step);
        }
    }

    [Fact]
    public void ToHtml_FailedRun_NamesTheStepAndCauseInPlainWordsWithTheFile()
    {
        var message = "log blob events/2026/03/01/01/bulk-7.jsonl disappeared during the run";
        var record = Record() with
        {
            Outcome = RunOutcome.Failed,
            Version = null,
            Reason = "Compact: " + message,
            FailedStep = nameof(RetrainActivities.Compact),
            FailureType = "System.IO.FileNotFoundException",
            FailureMessage = message,
        };

        var html = RetrainReport.ToHtml(record);

        var outcome = Regex.Match(html, "<p class=\"outcome\">(.*?)</p>", RegexOptions.Singleline).Groups[1].Value;
        Assert.Contains("The run stopped while reading and validating the event logs: a log file was deleted or moved while the run was reading it", outcome, StringComparison.Ordinal);
        Assert.Contains("File: events/2026/03/01/01/bulk-7.jsonl.", outcome, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", html, StringComparison.Ordinal);
        Assert.DoesNotContain("Compact:", outcome, StringComparison.Ordinal);
    }

    [Fact]
    public void Describe_SeedHistoriesOutage_NamesTheUserHash()
    {
        var record = Record() with
        {
            Outcome = RunOutcome.Failed,
            FailedStep = nameof(RetrainActivities.SeedHistories),
            FailureType = "System.IO.IOException",
            FailureMessage = "the histories of 40 of 50 users could not be written (the first: user 3f2a9c01d4e5b6a7: storage unavailable): that is an outage, not bad data",
        };

        var text = RetrainFailureText.Describe(record);

        Assert.StartsWith("The run stopped while updating users' serving histories: storage refused to save", text, StringComparison.Ordinal);
        Assert.EndsWith("User (hashed id): 3f2a9c01d4e5b6a7.", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Describe_RecordWithoutFailureFields_ReadsTheStepFromTheReason()
    {
        var record = Record() with { Outcome = RunOutcome.Failed, Reason = "Activate: index of version v9 holds 10 items, expected 12: not activated" };

        var text = RetrainFailureText.Describe(record);

        Assert.Contains("making the new version live", text, StringComparison.Ordinal);
        Assert.DoesNotContain("Activate:", text, StringComparison.Ordinal);
    }

    private static RetrainRunRecord Record() => new()
    {
        RunId = "20260301-020000-abcdef",
        Trigger = "timer",
        Started = Started,
        Finished = Started.AddSeconds(42),
        Outcome = RunOutcome.Activated,
        Version = "20260301-020000-abcdef",
        Reason = "beats popularity",
    };
}
