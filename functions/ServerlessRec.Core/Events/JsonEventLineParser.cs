using System.Buffers;
using System.Text.Json;

namespace ServerlessRec.Events;

/// <summary>Parses one JSON Lines event with <see cref="Utf8JsonReader"/> straight from the line's bytes.</summary>
internal sealed class JsonEventLineParser(EventTypeResolver types)
{
    private static readonly SearchValues<byte> ControlBytesAllowed = SearchValues.Create([.. Enumerable.Range(0, 256).Where(b => b is '\t' or >= 0x20).Select(b => (byte)b)]);
    private readonly Utf8StringCache _ids = new();

    private enum Field
    {
        Other,
        User,
        Item,
        Type,
        Timestamp,
        Value,
        RecommendationId,
        Position,
    }

    /// <summary>Parses a line already known to be valid UTF-8; on failure returns the first problem found.</summary>
    public LineError TryParse(ReadOnlySpan<byte> line, out InteractionEvent result)
    {
        result = default;
        string? user = null;
        string? item = null;
        string? type = null;
        DateTimeOffset timestamp = default;
        var hasTimestamp = false;
        double? value = null;
        string? recommendationId = null;
        int? position = null;
        var error = LineError.None;

        var reader = new Utf8JsonReader(line, isFinalBlock: true, state: default);
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return new(RejectionReasons.InvalidJson, "the line is not a JSON object");
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var field = Identify(ref reader);
                reader.Read();
                switch (field)
                {
                    case Field.User:
                        user = ReadId(ref reader, "userId", ref error);
                        break;
                    case Field.Item:
                        item = ReadId(ref reader, "itemId", ref error);
                        break;
                    case Field.Type:
                        type = ReadType(ref reader, ref error);
                        break;
                    case Field.Timestamp:
                        hasTimestamp = ReadTimestamp(ref reader, out timestamp, ref error);
                        break;
                    case Field.Value:
                        value = ReadValue(ref reader, ref error);
                        break;
                    case Field.RecommendationId:
                        recommendationId = ReadRecommendationId(ref reader, ref error);
                        break;
                    case Field.Position:
                        position = ReadPosition(ref reader, ref error);
                        break;
                    default:
                        reader.Skip();
                        break;
                }
            }

            if (reader.TokenType != JsonTokenType.EndObject || reader.Read())
            {
                return new(RejectionReasons.InvalidJson, "the line is not one JSON object");
            }
        }
        catch (JsonException ex)
        {
            return InvalidJson(line, ex);
        }

        if (error.IsError)
        {
            return error;
        }

        error = LineError.CheckId("userId", user);
        if (!error.IsError)
        {
            error = LineError.CheckId("itemId", item);
        }

        if (error.IsError)
        {
            return error;
        }

        if (type is null)
        {
            return new(RejectionReasons.MissingField, "type is missing");
        }

        if (!hasTimestamp)
        {
            return new(RejectionReasons.MissingField, "timestamp is missing");
        }

        result = new InteractionEvent(user!, item!, type, timestamp, value, recommendationId, position);
        return LineError.None;
    }

    private static Field Identify(ref Utf8JsonReader reader)
    {
        if (reader.ValueTextEquals("userId"u8))
        {
            return Field.User;
        }

        if (reader.ValueTextEquals("itemId"u8))
        {
            return Field.Item;
        }

        if (reader.ValueTextEquals("type"u8))
        {
            return Field.Type;
        }

        if (reader.ValueTextEquals("timestamp"u8))
        {
            return Field.Timestamp;
        }

        if (reader.ValueTextEquals("value"u8))
        {
            return Field.Value;
        }

        if (reader.ValueTextEquals("recommendationId"u8))
        {
            return Field.RecommendationId;
        }

        return reader.ValueTextEquals("position"u8) ? Field.Position : Field.Other;
    }

    private static string? ReadRecommendationId(ref Utf8JsonReader reader, ref LineError error)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.String:
                var text = reader.GetString()!;
                if (RecommendationIds.IsValid(text))
                {
                    return text;
                }

                Keep(ref error, new(RejectionReasons.BadField, $"recommendationId {LineError.Show(text)} is not a recommendation id ({RecommendationIds.Length} base64url characters)"));
                return null;
            case JsonTokenType.Null:
                return null;
            default:
                Keep(ref error, new(RejectionReasons.BadField, $"recommendationId must be a string, got {Describe(reader.TokenType)}"));
                reader.Skip();
                return null;
        }
    }

    private static int? ReadPosition(ref Utf8JsonReader reader, ref LineError error)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.Number when reader.TryGetInt32(out var number) && number >= 0:
                return number;
            case JsonTokenType.Null:
                return null;
            default:
                Keep(ref error, new(RejectionReasons.BadField, reader.TokenType == JsonTokenType.Number
                    ? $"position {LineError.Show(reader.ValueSpan)} must be a whole number of 0 or more"
                    : $"position must be a number or null, got {Describe(reader.TokenType)}"));
                reader.Skip();
                return null;
        }
    }

    private string? ReadId(ref Utf8JsonReader reader, string name, ref LineError error)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.String:
                // The line is valid UTF-8 (checked before parsing), so an unescaped value decodes as is.
                return reader.ValueIsEscaped ? reader.GetString() : _ids.GetString(reader.ValueSpan);
            case JsonTokenType.Null:
                return null;
            default:
                Keep(ref error, new(RejectionReasons.BadField, $"{name} must be a string, got {Describe(reader.TokenType)}"));
                reader.Skip();
                return null;
        }
    }

    private string? ReadType(ref Utf8JsonReader reader, ref LineError error)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.String:
                if (reader.ValueIsEscaped ? types.TryResolve(reader.GetString()!, out var name) : types.TryResolve(reader.ValueSpan, out name))
                {
                    return name;
                }

                if (name.Length == 0)
                {
                    return null;
                }

                Keep(ref error, types.Unknown(name));
                return name;
            case JsonTokenType.Null:
                return null;
            default:
                Keep(ref error, new(RejectionReasons.BadField, $"type must be a string, got {Describe(reader.TokenType)}"));
                reader.Skip();
                return null;
        }
    }

    private static bool ReadTimestamp(ref Utf8JsonReader reader, out DateTimeOffset timestamp, ref LineError error)
    {
        timestamp = default;
        TimestampError problem;
        switch (reader.TokenType)
        {
            case JsonTokenType.String:
                var text = reader.ValueIsEscaped ? Unescape(ref reader) : reader.ValueSpan;
                if (text.IsEmpty)
                {
                    return false;
                }

                problem = TimestampParser.TryParseAuto(text, out timestamp);
                if (problem != TimestampError.None)
                {
                    Keep(ref error, LineError.Timestamp(problem, LineError.Show(text), DelimitedTimestampFormat.Auto));
                }

                return true;
            case JsonTokenType.Number:
                problem = TimestampParser.FromJsonNumber(ref reader, out timestamp);
                if (problem != TimestampError.None)
                {
                    Keep(ref error, LineError.Timestamp(problem, System.Text.Encoding.UTF8.GetString(reader.ValueSpan), DelimitedTimestampFormat.Auto));
                }

                return true;
            case JsonTokenType.Null:
                return false;
            default:
                Keep(ref error, new(RejectionReasons.BadTimestamp, $"timestamp must be a string or a number, got {Describe(reader.TokenType)}"));
                reader.Skip();
                return true;
        }
    }

    private static double? ReadValue(ref Utf8JsonReader reader, ref LineError error)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.Number when reader.TryGetDouble(out var number) && EventValueRange.Contains(number):
                return number;
            case JsonTokenType.Null:
                return null;
            default:
                Keep(ref error, new(RejectionReasons.BadValue, reader.TokenType == JsonTokenType.Number
                    ? $"value {LineError.Show(reader.ValueSpan)} is out of range: a value must be {EventValueRange.Description}"
                    : $"value must be a number or null, got {Describe(reader.TokenType)}"));
                reader.Skip();
                return null;
        }
    }

    private static ReadOnlySpan<byte> Unescape(ref Utf8JsonReader reader)
    {
        var buffer = new byte[reader.ValueSpan.Length];
        return buffer.AsSpan(0, reader.CopyString(buffer));
    }

    private static void Keep(ref LineError error, LineError found)
    {
        if (!error.IsError)
        {
            error = found;
        }
    }

    private static string Describe(JsonTokenType token) => token switch
    {
        JsonTokenType.StartObject => "an object",
        JsonTokenType.StartArray => "an array",
        JsonTokenType.Number => "a number",
        JsonTokenType.True or JsonTokenType.False => "a boolean",
        JsonTokenType.String => "a string",
        _ => token.ToString(),
    };

    private static LineError InvalidJson(ReadOnlySpan<byte> line, JsonException ex)
    {
        // Raw control characters make the JSON invalid too; naming them is the more useful diagnosis.
        var control = line.IndexOfAnyExcept(ControlBytesAllowed);
        if (control >= 0)
        {
            return new(RejectionReasons.ControlCharacter, $"the line contains a control character (U+{line[control]:X4}) at byte {control}");
        }

        return new(RejectionReasons.InvalidJson, $"invalid JSON at byte {ex.BytePositionInLine ?? 0}");
    }
}
