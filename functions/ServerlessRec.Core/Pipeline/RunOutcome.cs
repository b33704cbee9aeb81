using System.Text.Json.Serialization;

namespace ServerlessRec.Pipeline;

/// <summary>
/// How a retraining run ended (or that it has not yet). Serialized as the strings run records have always held
/// (<c>activated</c>, <c>no-data</c>, …), so stored records stay readable and the HTTP answers do not change.
/// </summary>
[JsonConverter(typeof(JsonStringEnumConverter<RunOutcome>))]
public enum RunOutcome
{
    /// <summary>The run has started and not ended: the record the orchestration begins with.</summary>
    [JsonStringEnumMemberName("running")]
    Running,

    /// <summary>The candidate passed the gate and went live (or an operator rolled back to a version).</summary>
    [JsonStringEnumMemberName("activated")]
    Activated,

    /// <summary>The candidate failed the gate; the live model keeps serving.</summary>
    [JsonStringEnumMemberName("rejected")]
    Rejected,

    /// <summary>Too few events or users to train: nothing was trained.</summary>
    [JsonStringEnumMemberName("no-data")]
    NoData,

    /// <summary>A step failed after its retries; the record names the step and the cause.</summary>
    [JsonStringEnumMemberName("failed")]
    Failed,

    /// <summary>The orchestration was terminated before it could write its record (retraining status only).</summary>
    [JsonStringEnumMemberName("terminated")]
    Terminated,

    /// <summary>The run record could not be read (run listings only).</summary>
    [JsonStringEnumMemberName("unreadable")]
    Unreadable,
}
