namespace ServerlessRec.Evaluation;

/// <summary>Scores items for one user at a time; not thread-safe.</summary>
public interface IRankingScorerSession
{
    /// <summary>
    /// Writes a score for every item index (entry 0 is ignored) given the user's events
    /// [<paramref name="userStart"/>, <paramref name="historyEnd"/>) of the dataset.
    /// </summary>
    void Score(int userStart, int historyEnd, Span<float> scores);
}
