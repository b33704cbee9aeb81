using System.Globalization;

namespace ServerlessRec.Events;

/// <summary>Turns one CSV/TSV line into an event according to a <see cref="DelimitedColumnMapping"/>.</summary>
internal sealed class DelimitedEventLineParser
{
    private readonly EventFileFormat _format;
    private readonly DelimitedColumnMapping _columns;
    private readonly EventTypeResolver _types;
    private readonly string _fileName;
    private readonly byte _separator;
    private readonly string? _fixedType;
    private IReadOnlyList<string> _names = [];
    private int _user;
    private int _item;
    private int _timestamp;
    private int _type = -1;
    private int _value = -1;
    private int _fieldsNeeded;

    public DelimitedEventLineParser(EventFileFormat format, EventTypeResolver types, string fileName)
    {
        _format = format;
        _columns = format.Columns!;
        _types = types;
        _fileName = fileName;
        _separator = (byte)format.Separator;
        if (_columns.FixedType is { } fixedType)
        {
            _fixedType = types.TryResolve(fixedType, out var name)
                ? name
                : throw new ArgumentException($"The fixed event type \"{fixedType}\" is not configured (known: {types.Known}).", nameof(format));
        }

        if (format.ColumnNames is { } names)
        {
            MapColumns(names);
        }
    }

    /// <summary>Gets a value indicating whether the next non-blank line is the header.</summary>
    public bool NeedsHeader => _format.HasHeader && _fieldsNeeded == 0;

    /// <exception cref="InvalidDataException">A mapped column is missing, or the header is malformed.</exception>
    public void ReadHeader(ReadOnlySpan<byte> line) => MapColumns(DelimitedLine.ReadHeader(line, _separator, _fileName));

    public LineError TryParse(ReadOnlySpan<byte> line, out InteractionEvent result)
    {
        result = default;
        Span<FieldRange> fields = _fieldsNeeded <= 64 ? stackalloc FieldRange[_fieldsNeeded] : new FieldRange[_fieldsNeeded];
        var error = DelimitedLine.Split(line, _separator, fields, out var count);
        if (error.IsError)
        {
            return error;
        }

        if (count < _fieldsNeeded)
        {
            return new(RejectionReasons.MissingField, $"the line has {count} field{(count == 1 ? string.Empty : "s")}; column \"{FirstMappedAtOrAfter(count)}\" is missing");
        }

        var user = DelimitedLine.GetString(line, fields[_user]);
        error = LineError.CheckId("userId", user);
        if (error.IsError)
        {
            return error;
        }

        var item = DelimitedLine.GetString(line, fields[_item]);
        error = LineError.CheckId("itemId", item);
        if (error.IsError)
        {
            return error;
        }

        var type = _fixedType;
        if (type is null)
        {
            var spelling = DelimitedLine.GetBytes(line, fields[_type]).Trim(" "u8);
            if (spelling.IsEmpty)
            {
                return new(RejectionReasons.MissingField, "type is empty");
            }

            if (!_types.TryResolve(spelling, out type))
            {
                return _types.Unknown(type);
            }
        }

        var timestampText = DelimitedLine.GetBytes(line, fields[_timestamp]).Trim(" \t"u8);
        if (timestampText.IsEmpty)
        {
            return new(RejectionReasons.MissingField, "timestamp is empty");
        }

        DateTimeOffset timestamp;
        var problem = _columns.TimestampFormat switch
        {
            DelimitedTimestampFormat.UnixSeconds => TimestampParser.TryParseUnix(timestampText, 1, out timestamp),
            DelimitedTimestampFormat.UnixMilliseconds => TimestampParser.TryParseUnix(timestampText, 1000, out timestamp),
            DelimitedTimestampFormat.Iso8601 => TimestampParser.TryParseIso(timestampText, out timestamp),
            _ => TimestampParser.TryParseAuto(timestampText, out timestamp),
        };
        if (problem != TimestampError.None)
        {
            return LineError.Timestamp(problem, LineError.Show(timestampText), _columns.TimestampFormat);
        }

        double? value = null;
        if (_value >= 0)
        {
            var valueText = DelimitedLine.GetBytes(line, fields[_value]).Trim(" \t"u8);
            if (!valueText.IsEmpty)
            {
                if (!double.TryParse(valueText, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) || double.IsNaN(number))
                {
                    return new(RejectionReasons.BadValue, $"value {LineError.Show(valueText)} is not a number");
                }

                // "Infinity" and 1e39 parse as numbers; neither is a usable rating.
                if (!EventValueRange.Contains(number))
                {
                    return new(RejectionReasons.BadValue, $"value {LineError.Show(valueText)} is out of range: a value must be {EventValueRange.Description}");
                }

                value = number;
            }
        }

        result = new InteractionEvent(user, item, type, timestamp, value);
        return LineError.None;
    }

    private string FirstMappedAtOrAfter(int index)
    {
        var first = int.MaxValue;
        foreach (var mapped in (ReadOnlySpan<int>)[_user, _item, _timestamp, _type, _value])
        {
            if (mapped >= index && mapped < first)
            {
                first = mapped;
            }
        }

        return _names[first];
    }

    private void MapColumns(IReadOnlyList<string> names)
    {
        _names = names;
        _user = DelimitedLine.IndexOf(names, _columns.User, "user", _fileName);
        _item = DelimitedLine.IndexOf(names, _columns.Item, "item", _fileName);
        _timestamp = DelimitedLine.IndexOf(names, _columns.Timestamp, "timestamp", _fileName);
        _type = _columns.Type is { } type ? DelimitedLine.IndexOf(names, type, "type", _fileName) : -1;
        _value = _columns.Value is { } value ? DelimitedLine.IndexOf(names, value, "value", _fileName) : -1;
        _fieldsNeeded = Math.Max(Math.Max(_user, _item), Math.Max(_timestamp, Math.Max(_type, _value))) + 1;
    }
}
