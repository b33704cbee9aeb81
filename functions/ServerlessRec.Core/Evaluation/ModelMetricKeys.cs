namespace ServerlessRec.Evaluation;

/// <summary>
/// The keys of a model manifest's metrics. Models since the honest gate record the promotion gate's numbers on the TEST
/// slice under <c>gate.*</c>; older manifests hold the gate's VALIDATION numbers under <c>validation.*</c>.
/// </summary>
public static class ModelMetricKeys
{
    /// <summary>The shipped model on the gate slice.</summary>
    public const string Model = "gate.model";

    /// <summary>The popularity baseline on the gate slice.</summary>
    public const string Popularity = "gate.popularity";

    /// <summary>The live model at the time, on the gate slice's users with events newer than its data.</summary>
    public const string Live = "gate.live";

    /// <summary>The key older manifests used for <see cref="Model"/>.</summary>
    public const string LegacyModel = "validation.model";

    /// <summary>The key older manifests used for <see cref="Popularity"/>.</summary>
    public const string LegacyPopularity = "validation.popularity";
}
