using System.Globalization;
using System.Text;
using System.Text.Json.Serialization;

namespace ServerlessRec.Client;

/// <summary>What an error answer said: its RFC 9457 problem body and what the client knows about the request.</summary>
public sealed record ServerlessRecProblem
{
    /// <summary>Gets the HTTP status.</summary>
    [JsonPropertyName("status")]
    public int Status { get; init; }

    /// <summary>Gets the problem type URI.</summary>
    [JsonPropertyName("type")]
    public string? Type { get; init; }

    /// <summary>Gets the title.</summary>
    [JsonPropertyName("title")]
    public string? Title { get; init; }

    /// <summary>Gets the detail.</summary>
    [JsonPropertyName("detail")]
    public string? Detail { get; init; }

    /// <summary>Gets the request field at fault, when the server named one.</summary>
    [JsonPropertyName("field")]
    public string? Field { get; init; }

    /// <summary>
    /// Gets, for a failed event post, whether its events are in the event log all the same (<see langword="true"/>: they
    /// are; repeat the post only with the same <see cref="IdempotencyKey"/>); <see langword="null"/> on other answers.
    /// </summary>
    [JsonPropertyName("eventsLogged")]
    public bool? EventsLogged { get; init; }

    /// <summary>Gets the method and path of the request (no query string: ids may be personal data).</summary>
    [JsonIgnore]
    public string? Request { get; init; }

    /// <summary>Gets the <c>Idempotency-Key</c> of a failed event post: repeat the same events with it and nothing is stored twice.</summary>
    [JsonIgnore]
    public string? IdempotencyKey { get; init; }

    /// <inheritdoc/>
    public override string ToString()
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"{Status} {Title ?? "error"}");
        if (!string.IsNullOrEmpty(Detail))
        {
            text.Append(CultureInfo.InvariantCulture, $": {Detail}");
        }

        if (Field is not null)
        {
            text.Append(CultureInfo.InvariantCulture, $" (field: {Field})");
        }

        if (Request is not null)
        {
            text.Append(CultureInfo.InvariantCulture, $" [{Request}]");
        }

        return text.ToString();
    }
}
