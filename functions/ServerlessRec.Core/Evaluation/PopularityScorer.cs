using ServerlessRec.Training;

namespace ServerlessRec.Evaluation;

/// <summary>The popularity baseline: every user gets the items with the most positive events in the training range.</summary>
public sealed class PopularityScorer : IRankingScorer, IRankingScorerSession
{
    private readonly float[] _scores;

    /// <summary>Creates the baseline from the positive counts of the first <paramref name="userEnds"/>[u] events of each user.</summary>
    public PopularityScorer(InteractionDataset data, ReadOnlySpan<int> userEnds)
    {
        ArgumentNullException.ThrowIfNull(data);
        var counts = data.PositiveCounts(userEnds);
        _scores = new float[counts.Length];
        for (var i = 0; i < counts.Length; i++)
        {
            _scores[i] = counts[i];
        }
    }

    /// <summary>Gets the popularity score of every item index.</summary>
    public ReadOnlySpan<float> Scores => _scores;

    /// <inheritdoc/>
    public IRankingScorerSession CreateSession() => this;

    /// <inheritdoc/>
    public void Score(int userStart, int historyEnd, Span<float> scores) => _scores.CopyTo(scores);
}
