using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace ServerlessRec.Events;

/// <summary>
/// Reads an event <c>timestamp</c> in a request body with the parser event files use, so the API and the files accept
/// exactly the same values: a string in ISO-8601 with an offset (<c>Z</c>, <c>+hh:mm</c>, <c>+hhmm</c>, <c>+hh</c>) or
/// of Unix seconds, or a JSON number of Unix seconds (fractions allowed). A time without an offset, a bare date or
/// anything else is refused: its instant would depend on the reader's time zone.
/// </summary>
public sealed class EventTimestampJsonConverter : JsonConverter<DateTimeOffset>
{
    /// <inheritdoc/>
    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        TimestampError problem;
        DateTimeOffset value;
        string shown;
        switch (reader.TokenType)
        {
            case JsonTokenType.String:
                var text = reader.ValueIsEscaped ? Encoding.UTF8.GetBytes(reader.GetString()!) : reader.ValueSpan;
                if (text.IsEmpty)
                {
                    throw new InvalidTimestampException("is empty; send ISO-8601 with an offset or Unix seconds, or leave it out for the server's clock");
                }

                problem = TimestampParser.TryParseAuto(text, out value);
                shown = LineError.Show(text);
                break;
            case JsonTokenType.Number:
                problem = TimestampParser.FromJsonNumber(ref reader, out value);
                shown = Encoding.UTF8.GetString(reader.ValueSpan);
                break;
            default:
                throw new InvalidTimestampException("must be a string (ISO-8601 with an offset) or a number (Unix seconds)");
        }

        return problem switch
        {
            TimestampError.None => value,
            TimestampError.NoOffset => throw new InvalidTimestampException($"{shown} has no UTC offset (add Z or +hh:mm)"),
            TimestampError.OutOfRange => throw new InvalidTimestampException($"{shown} is out of range (Unix milliseconds instead of seconds?)"),
            _ => throw new InvalidTimestampException($"{shown} is not ISO-8601 with an offset or Unix seconds"),
        };
    }

    /// <inheritdoc/>
    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStringValue(value);
    }
}
