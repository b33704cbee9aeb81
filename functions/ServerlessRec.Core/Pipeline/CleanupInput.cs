namespace ServerlessRec.Pipeline;

/// <summary>Input of Cleanup: the retention and the grace period of the previously live version.</summary>
/// <param name="KeepVersions">How many versions to keep (the live one included).</param>
/// <param name="GraceSeconds">How long after activation the previously live version is kept regardless.</param>
public sealed record CleanupInput(int KeepVersions, double GraceSeconds);
