namespace ServerlessRec.Pipeline;

/// <summary>A failed run in plain words: the step, the cause, and the file, line or user (hashed) when the failure names one.</summary>
/// <param name="Step">The step, as a reader would say it ("reading and validating the event logs").</param>
/// <param name="Cause">What went wrong, without exception types.</param>
/// <param name="File">The blob the failure names (<c>events/…</c>, <c>runs/…</c>, <c>models/…</c>), when it names one.</param>
/// <param name="Line">The line the failure names, when it names one.</param>
/// <param name="UserHash">The hashed user id the failure names, when it names one.</param>
public sealed record RetrainFailure(string Step, string Cause, string? File, int? Line, string? UserHash);
