using System.Text;

namespace ServerlessRec.Events;

/// <summary>Why one line is rejected: a <see cref="RejectionReasons"/> code and a message without the line prefix.</summary>
internal readonly record struct LineError(string Reason, string Message)
{
    public bool IsError => Reason is not null;

    public static LineError None => default;

    public static LineError Timestamp(TimestampError error, string shown, DelimitedTimestampFormat format) => error switch
    {
        TimestampError.NoOffset => new(RejectionReasons.BadTimestamp, $"timestamp {shown} has no UTC offset (add Z or +hh:mm)"),
        TimestampError.OutOfRange => new(RejectionReasons.BadTimestamp, $"timestamp {shown} is out of range{(format is DelimitedTimestampFormat.Auto or DelimitedTimestampFormat.UnixSeconds ? " (Unix milliseconds instead of seconds?)" : string.Empty)}"),
        _ => new(RejectionReasons.BadTimestamp, $"timestamp {shown} is not {Describe(format)}"),
    };

    /// <summary>Checks a <c>userId</c> or <c>itemId</c> against the contract: 1–128 characters, no control characters.</summary>
    public static LineError CheckId(string field, string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return new(RejectionReasons.MissingField, value is null ? $"{field} is missing" : $"{field} is empty");
        }

        if (value.Length > EventReaderOptions.MaxIdLength)
        {
            return new(RejectionReasons.IdTooLong, $"{field} is {value.Length} characters long; the limit is {EventReaderOptions.MaxIdLength}");
        }

        var control = IndexOfControl(value);
        return control >= 0
            ? new(RejectionReasons.ControlCharacter, $"{field} {Show(value)} contains a control character (U+{(int)value[control]:X4})")
            : None;
    }

    public static int IndexOfControl(ReadOnlySpan<char> value)
    {
        var c0 = value.IndexOfAnyInRange('\u0000', '\u001F');
        var c1 = value.IndexOfAnyInRange('\u007F', '\u009F');
        return c0 < 0 ? c1 : c1 < 0 ? c0 : Math.Min(c0, c1);
    }

    /// <summary>Quotes a value for a message: shortened, control characters escaped.</summary>
    public static string Show(ReadOnlySpan<char> value)
    {
        const int MaxShown = 60;
        var builder = new StringBuilder(Math.Min(value.Length, MaxShown) + 8).Append('"');
        foreach (var c in value.Length > MaxShown ? value[..MaxShown] : value)
        {
            if (char.IsControl(c))
            {
                builder.Append("\\u").Append(((int)c).ToString("X4", System.Globalization.CultureInfo.InvariantCulture));
            }
            else
            {
                builder.Append(c);
            }
        }

        if (value.Length > MaxShown)
        {
            builder.Append('…');
        }

        return builder.Append('"').ToString();
    }

    public static string Show(ReadOnlySpan<byte> utf8) => Show(Encoding.UTF8.GetString(utf8.Length > 256 ? utf8[..256] : utf8));

    private static string Describe(DelimitedTimestampFormat format) => format switch
    {
        DelimitedTimestampFormat.UnixSeconds => "Unix seconds",
        DelimitedTimestampFormat.UnixMilliseconds => "Unix milliseconds",
        DelimitedTimestampFormat.Iso8601 => "ISO-8601",
        _ => "ISO-8601 or Unix seconds",
    };
}
