using System.Globalization;
using System.Text.Json;
using ServerlessRec.Events;

namespace ServerlessRec.Cli.Commands.Simulate;

/// <summary>
/// The simulation's events as the contract's JSON: one line of a bulk file (Unix-seconds timestamp) or the body of a
/// <c>POST /api/events</c> (ISO-8601 timestamps). The serializer escapes whatever an id holds (a control character of
/// a poisoned id comes out as <c>\u0001</c>), and any double is written as a JSON number (1e39 included).
/// </summary>
internal static class SimulatedEventJson
{
    /// <summary>One JSON Lines event with its timestamp in Unix seconds.</summary>
    public static string Line(InteractionEvent e) => JsonSerializer.Serialize(Fields(e, e.Timestamp.ToUnixTimeSeconds()));

    /// <summary>The body of one post holding <paramref name="events"/>, timestamps in ISO-8601 UTC.</summary>
    public static string Post(IEnumerable<InteractionEvent> events) =>
        JsonSerializer.Serialize(new Dictionary<string, object> { ["events"] = events.Select(e => Fields(e, Iso(e.Timestamp))).ToList() });

    /// <summary>The body of a post whose one event has this raw timestamp text (a date in 2099, say).</summary>
    public static string Post(InteractionEvent e, string timestamp) =>
        JsonSerializer.Serialize(new Dictionary<string, object> { ["events"] = new[] { Fields(e, timestamp) } });

    /// <summary>One JSON Lines event with this raw timestamp text.</summary>
    public static string Line(InteractionEvent e, string timestamp) => JsonSerializer.Serialize(Fields(e, timestamp));

    private static string Iso(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static Dictionary<string, object?> Fields(InteractionEvent e, object timestamp)
    {
        var fields = new Dictionary<string, object?> { ["userId"] = e.UserId, ["itemId"] = e.ItemId, ["type"] = e.Type, ["timestamp"] = timestamp };
        if (e.Value is { } value)
        {
            fields["value"] = value;
        }

        return fields;
    }
}
