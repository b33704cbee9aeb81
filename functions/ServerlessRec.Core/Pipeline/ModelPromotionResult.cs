using ServerlessRec.Serving;

namespace ServerlessRec.Pipeline;

/// <summary>What a promotion of the challenger did (<see cref="ModelAdministration.PromoteChallengerAsync"/>).</summary>
/// <param name="Live">The live pointer after it.</param>
/// <param name="Challenger">The challenger pointer that was promoted (or only removed, when it was already live).</param>
/// <param name="Changed">False when the challenger was already the live version: only its pointer was removed.</param>
/// <param name="RunId">The record of the promotion in <c>runs/</c> (<see langword="null"/> when the live version did not change).</param>
public sealed record ModelPromotionResult(ModelPointer Live, ChallengerPointer Challenger, bool Changed, string? RunId)
{
    /// <summary>Gets a value indicating whether this call removed <c>models/challenger.json</c> (false: it was gone already).</summary>
    public bool ChallengerRemoved { get; init; }
}
