namespace ServerlessRec.Pipeline;

/// <summary>Whether a start request began a run.</summary>
/// <param name="Started">True when a new run was scheduled.</param>
/// <param name="InstanceId">The singleton instance id.</param>
/// <param name="Message">What happened, for logs and HTTP answers.</param>
public sealed record RetrainStart(bool Started, string InstanceId, string Message);
