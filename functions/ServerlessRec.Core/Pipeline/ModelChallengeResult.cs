using ServerlessRec.Serving;

namespace ServerlessRec.Pipeline;

/// <summary>What a start or stop of the challenger did.</summary>
/// <param name="Challenger">The challenger pointer written (start), or removed (stop; <see langword="null"/> when none ran).</param>
/// <param name="Changed">False when nothing changed (the same challenger and share already ran, or none ran to stop).</param>
public sealed record ModelChallengeResult(ChallengerPointer? Challenger, bool Changed);
