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
