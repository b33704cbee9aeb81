using System.Text.Json.Serialization;

namespace ServerlessRec.Http;

/// <summary>The RFC 9457 problem body every error answer carries; <see cref="Field"/> names the offending request field.</summary>
public sealed record ApiProblem
{
    /// <summary>Gets the problem <c>type</c>: a URI of the HTTP status in RFC 9110.</summary>
    [JsonPropertyName("type")]
    public required string Type { get; init; }

    /// <summary>Gets a short, human-readable summary of the problem type.</summary>
    [JsonPropertyName("title")]
    public required string Title { get; init; }

    /// <summary>Gets the HTTP status code of the answer.</summary>
    [JsonPropertyName("status")]
    public required int Status { get; init; }

    /// <summary>Gets what went wrong with this request, in words.</summary>
    [JsonPropertyName("detail")]
    public required string Detail { get; init; }

    /// <summary>Gets the JSON path of the offending request field (e.g. <c>events[0].itemId</c>); absent when no single field is at fault.</summary>
    [JsonPropertyName("field")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Field { get; init; }

    /// <summary>
    /// Gets, on a failed <c>POST /api/events</c>, whether its events are in the event log all the same (true: they are;
    /// repeat the post only with the same <c>Idempotency-Key</c>). Absent on every other answer.
    /// </summary>
    [JsonPropertyName("eventsLogged")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public bool? EventsLogged { get; init; }
}
