using ServerlessRec.Evaluation;

namespace ServerlessRec.Core.Tests.Evaluation;

public sealed class RankingEvaluatorTests
{
    [Fact]
    public void Rank_TiesCountAgainstTheHeldOutItem()
    {
        float[] scores = [0f, 0.5f, 0.9f, 0.5f, 0.1f];
        var excluded = new bool[5];

        Assert.Equal(2, RankingEvaluator.Rank(scores, excluded, target: 1));
    }

    [Fact]
    public void Rank_ExcludedItemsDoNotCount()
    {
        float[] scores = [0f, 0.5f, 0.9f, 0.5f, 0.1f];
        bool[] excluded = [true, false, true, false, false];

        Assert.Equal(1, RankingEvaluator.Rank(scores, excluded, target: 1));
    }

    [Fact]
    public void Evaluate_KnownRanks_GiveExactMetrics()
    {
        // Two users; items a..e. The scorer always prefers later letters (e > d > ...).
        var data = TestDatasets.Build([
            ("u1", "a", "view", 1), ("u1", "b", "view", 2), ("u1", "e", "view", 3),
            ("u2", "e", "view", 1), ("u2", "d", "view", 2), ("u2", "a", "view", 3)]);
        var split = LeaveLastOutSplit.Create(data);
        var scorer = new LetterScorer(data);

        var metrics = RankingEvaluator.Evaluate(split, HeldOut.Test, scorer, threads: 1);

        // The catalog is {a, b, d, e}. u1: history {a, b} excluded; e is the best remaining → rank 0.
        // u2: history {e, d} excluded; candidates a, b; b scores higher → rank 1.
        Assert.Equal(2, metrics.Users);
        Assert.Equal(1.0, metrics.HitRateAt10, 9);
        Assert.Equal((1.0 + (1.0 / Math.Log2(3))) / 2, metrics.NdcgAt10, 9);
        Assert.Equal((1.0 + (1.0 / 2)) / 2, metrics.Mrr, 9);

        // Top 10 lists: u1 → e, d; u2 → b, a: all four items covered.
        Assert.Equal(1.0, metrics.CoverageAt10, 9);
    }

    [Fact]
    public void Evaluate_EchoHistoryScorer_RepeatTargetsAreDroppedNotHits()
    {
        // u1 and u2 come back to an item they already consumed (u2 after skipping it); u3's last item is new.
        // Fillers f0..f11 make the catalog larger than 10, so an item scoring like all the others misses the top 10.
        var events = new List<(string, string, string, double)>
        {
            ("u1", "a", "view", 1), ("u1", "b", "view", 2), ("u1", "c", "view", 3), ("u1", "a", "view", 4),
            ("u2", "b", "skip", 1), ("u2", "c", "view", 2), ("u2", "d", "view", 3), ("u2", "e", "view", 4), ("u2", "b", "like", 5),
            ("u3", "a", "view", 1), ("u3", "b", "view", 2), ("u3", "c", "view", 3), ("u3", "z", "view", 4),
        };
        events.AddRange(Enumerable.Range(0, 12).Select(i => ($"filler{i}", $"f{i}", "view", (double)i)));
        var data = TestDatasets.Build(events);
        var split = LeaveLastOutSplit.Create(data);
        var echo = new EchoScorer(data);

        var metrics = RankingEvaluator.Evaluate(split, HeldOut.Test, echo, threads: 1);

        // Counting u1 and u2 would give the echo 2 hits of 3 (HR@10 = 1.0 on the repeat consumers): serving, which never
        // shows a seen or negative item, can get neither.
        Assert.Equal(2, metrics.RepeatTargetsDropped);
        Assert.Equal(3, split.Users.Length);
        Assert.Equal(1, metrics.Users);
        Assert.Equal(0.0, metrics.HitRateAt10);
    }

    private sealed class EchoScorer(ServerlessRec.Training.InteractionDataset data) : IRankingScorer, IRankingScorerSession
    {
        public IRankingScorerSession CreateSession() => this;

        public void Score(int userStart, int historyEnd, Span<float> scores)
        {
            scores.Clear();
            for (var e = userStart; e < historyEnd; e++)
            {
                scores[data.EventItems[e]] = 1f;
            }
        }
    }

    private sealed class LetterScorer(ServerlessRec.Training.InteractionDataset data) : IRankingScorer, IRankingScorerSession
    {
        public IRankingScorerSession CreateSession() => this;

        public void Score(int userStart, int historyEnd, Span<float> scores)
        {
            for (var i = 1; i < scores.Length; i++)
            {
                scores[i] = data.ItemIds[i][0];
            }
        }
    }
}
