using ServerlessRec.Serving;

namespace ServerlessRec.Pipeline;

/// <summary>What an activation did.</summary>
/// <param name="Live">The live pointer after it (unchanged when <paramref name="Changed"/> is false).</param>
/// <param name="Changed">False when the version was already live.</param>
/// <param name="RunId">The record of the activation in <c>runs/</c> (<see langword="null"/> when nothing changed).</param>
public sealed record ModelActivationResult(ModelPointer Live, bool Changed, string? RunId);
