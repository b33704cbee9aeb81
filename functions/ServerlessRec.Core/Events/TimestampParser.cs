using System.Globalization;
using System.Text.Json;

namespace ServerlessRec.Events;

/// <summary>
/// Parses the timestamps of the event contract from UTF-8 without allocating: strict ISO-8601 with an
/// offset (a missing offset would make the instant depend on the reader's time zone) and Unix time.
/// </summary>
internal static class TimestampParser
{
    private const long MinUnixSeconds = -62_135_596_800;
    private const long MaxUnixSeconds = 253_402_300_799;

    /// <summary>Parses ISO-8601 with an offset, else Unix seconds (the JSON Lines rule).</summary>
    public static TimestampError TryParseAuto(ReadOnlySpan<byte> text, out DateTimeOffset value)
    {
        var iso = TryParseIso(text, out value);
        if (iso != TimestampError.NotRecognized)
        {
            return iso;
        }

        return TryParseUnix(text, 1, out value);
    }

    /// <summary>Reads a JSON number as Unix seconds, whole or fractional (the JSON Lines rule for a numeric timestamp).</summary>
    public static TimestampError FromJsonNumber(ref Utf8JsonReader reader, out DateTimeOffset value)
    {
        if (reader.TryGetInt64(out var seconds))
        {
            return FromUnix(seconds, 1, out value);
        }

        if (reader.TryGetDouble(out var fractional))
        {
            return FromUnix(fractional, 1, out value);
        }

        value = default;
        return TimestampError.OutOfRange;
    }

    /// <summary>Parses <c>yyyy-MM-dd[T| ]HH:mm[:ss[.fffffff]](Z|±hh:mm|±hhmm|±hh)</c>.</summary>
    public static TimestampError TryParseIso(ReadOnlySpan<byte> text, out DateTimeOffset value)
    {
        value = default;
        text = text.Trim(" \t"u8);
        if (text.Length < 10
            || !TryDigits(text[..4], out var year) || text[4] != '-'
            || !TryDigits(text.Slice(5, 2), out var month) || text[7] != '-'
            || !TryDigits(text.Slice(8, 2), out var day))
        {
            return TimestampError.NotRecognized;
        }

        if (year < 1 || month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month))
        {
            return TimestampError.NotRecognized;
        }

        if (text.Length == 10)
        {
            return TimestampError.NoOffset;
        }

        if (text[10] is not ((byte)'T' or (byte)'t' or (byte)' ') || text.Length < 16
            || !TryDigits(text.Slice(11, 2), out var hour) || text[13] != ':'
            || !TryDigits(text.Slice(14, 2), out var minute) || hour > 23 || minute > 59)
        {
            return TimestampError.NotRecognized;
        }

        var position = 16;
        var second = 0;
        long fractionTicks = 0;
        if (position < text.Length && text[position] == ':')
        {
            if (text.Length < position + 3 || !TryDigits(text.Slice(position + 1, 2), out second) || second > 59)
            {
                return TimestampError.NotRecognized;
            }

            position += 3;
            if (position < text.Length && text[position] is (byte)'.' or (byte)',')
            {
                position++;
                var digits = 0;
                long scale = TimeSpan.TicksPerSecond;
                while (position < text.Length && IsDigit(text[position]))
                {
                    if (digits < 7)
                    {
                        scale /= 10;
                        fractionTicks += (text[position] - '0') * scale;
                    }

                    digits++;
                    position++;
                }

                if (digits == 0)
                {
                    return TimestampError.NotRecognized;
                }
            }
        }

        if (position == text.Length)
        {
            return TimestampError.NoOffset;
        }

        if (!TryParseOffset(text[position..], out var offsetMinutes))
        {
            return TimestampError.NotRecognized;
        }

        var local = new DateTime(year, month, day, hour, minute, second, DateTimeKind.Unspecified).Ticks + fractionTicks;
        var utc = local - (offsetMinutes * TimeSpan.TicksPerMinute);
        if (utc < DateTime.MinValue.Ticks || utc > DateTime.MaxValue.Ticks)
        {
            return TimestampError.OutOfRange;
        }

        value = new DateTimeOffset(local, TimeSpan.FromMinutes(offsetMinutes));
        return TimestampError.None;
    }

    /// <summary>Parses a decimal number of Unix seconds (<paramref name="unitsPerSecond"/> 1) or milliseconds (1000).</summary>
    public static TimestampError TryParseUnix(ReadOnlySpan<byte> text, int unitsPerSecond, out DateTimeOffset value)
    {
        text = text.Trim(" \t"u8);
        if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var whole))
        {
            return FromUnix(whole, unitsPerSecond, out value);
        }

        if (double.TryParse(text, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent, CultureInfo.InvariantCulture, out var number))
        {
            return FromUnix(number, unitsPerSecond, out value);
        }

        value = default;
        return TimestampError.NotRecognized;
    }

    public static TimestampError FromUnix(long units, int unitsPerSecond, out DateTimeOffset value)
    {
        value = default;
        if (units < MinUnixSeconds * unitsPerSecond || units > MaxUnixSeconds * unitsPerSecond)
        {
            return TimestampError.OutOfRange;
        }

        value = DateTimeOffset.UnixEpoch.AddTicks(units * (TimeSpan.TicksPerSecond / unitsPerSecond));
        return TimestampError.None;
    }

    public static TimestampError FromUnix(double units, int unitsPerSecond, out DateTimeOffset value)
    {
        value = default;
        if (!double.IsFinite(units))
        {
            return TimestampError.NotRecognized;
        }

        var seconds = units / unitsPerSecond;
        if (seconds < MinUnixSeconds || seconds > MaxUnixSeconds)
        {
            return TimestampError.OutOfRange;
        }

        value = DateTimeOffset.UnixEpoch.AddTicks((long)Math.Round(seconds * TimeSpan.TicksPerSecond));
        return TimestampError.None;
    }

    private static bool TryParseOffset(ReadOnlySpan<byte> text, out int minutes)
    {
        minutes = 0;
        if (text.Length == 1 && text[0] is (byte)'Z' or (byte)'z')
        {
            return true;
        }

        if (text.Length < 3 || text[0] is not ((byte)'+' or (byte)'-') || !TryDigits(text.Slice(1, 2), out var hours))
        {
            return false;
        }

        var rest = text[3..];
        if (!rest.IsEmpty && rest[0] == ':')
        {
            rest = rest[1..];
        }

        var offsetMinutes = 0;
        if (!rest.IsEmpty && (rest.Length != 2 || !TryDigits(rest, out offsetMinutes)))
        {
            return false;
        }

        if (hours > 14 || offsetMinutes > 59 || (hours == 14 && offsetMinutes > 0))
        {
            return false;
        }

        minutes = (text[0] == '-' ? -1 : 1) * ((hours * 60) + offsetMinutes);
        return true;
    }

    private static bool TryDigits(ReadOnlySpan<byte> text, out int value)
    {
        value = 0;
        foreach (var b in text)
        {
            if (!IsDigit(b))
            {
                return false;
            }

            value = (value * 10) + (b - '0');
        }

        return true;
    }

    private static bool IsDigit(byte b) => (uint)(b - '0') <= 9;
}
