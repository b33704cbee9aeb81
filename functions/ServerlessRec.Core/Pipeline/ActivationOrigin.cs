namespace ServerlessRec.Pipeline;

/// <summary>What made a version live, recorded in <c>models/current.json</c>.</summary>
/// <param name="Trigger"><see cref="ModelActivation.RetrainTrigger"/>, <see cref="ModelActivation.RollbackTrigger"/> or <see cref="ModelActivation.PromotionTrigger"/>.</param>
/// <param name="By">Who asked: the run id of a retraining (or of an automatic promotion), the operator of a rollback or promotion.</param>
/// <param name="Reason">Why, in the words of whoever asked (<see langword="null"/>: not given).</param>
public sealed record ActivationOrigin(string Trigger, string? By = null, string? Reason = null);
