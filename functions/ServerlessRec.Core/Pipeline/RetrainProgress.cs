namespace ServerlessRec.Pipeline;

/// <summary>The orchestration's custom status: the run it is and the step it is in (or ended in).</summary>
/// <param name="RunId">The run id (its record is <c>runs/&lt;runId&gt;.json</c> once written).</param>
/// <param name="Step">The step in progress.</param>
public sealed record RetrainProgress(string RunId, string Step);
