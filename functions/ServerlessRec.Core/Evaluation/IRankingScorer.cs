namespace ServerlessRec.Evaluation;

/// <summary>Something that scores every item for a user's history: the model under test or a baseline.</summary>
public interface IRankingScorer
{
    /// <summary>Creates a per-thread scoring session (owning its buffers).</summary>
    IRankingScorerSession CreateSession();
}
