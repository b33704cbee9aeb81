namespace ServerlessRec.Evaluation;

/// <summary>Which held-out event of the split is ranked.</summary>
public enum HeldOut
{
    /// <summary>The second-to-last positive (model selection).</summary>
    Validation,

    /// <summary>The last positive (final numbers).</summary>
    Test,
}
