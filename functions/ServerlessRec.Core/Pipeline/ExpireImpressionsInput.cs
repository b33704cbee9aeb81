namespace ServerlessRec.Pipeline;

/// <summary>Input of ExpireImpressions: impression day folders before <paramref name="RetentionDays"/> days ahead of the run's day go.</summary>
/// <param name="RunStart">The run's "now".</param>
/// <param name="RetentionDays">The whole days kept before the run's day.</param>
public sealed record ExpireImpressionsInput(DateTimeOffset RunStart, int RetentionDays);
