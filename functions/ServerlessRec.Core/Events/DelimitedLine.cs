using System.Text;

namespace ServerlessRec.Events;

/// <summary>
/// Splits one delimited line with RFC-4180 quoting. A record is one physical line: a quoted field that
/// does not close on its line is rejected, so one stray quote cannot swallow the rest of a file.
/// </summary>
internal static class DelimitedLine
{
    /// <summary>The most columns a header may have.</summary>
    public const int MaxColumns = 1024;

    /// <summary>Finds the first <c>fields.Length</c> fields (or fewer, when the line has fewer).</summary>
    public static LineError Split(ReadOnlySpan<byte> line, byte separator, Span<FieldRange> fields, out int count)
    {
        count = 0;
        var position = 0;
        while (count < fields.Length)
        {
            if (position < line.Length && line[position] == '"')
            {
                var close = position + 1;
                var escaped = false;
                while (true)
                {
                    var quote = line[close..].IndexOf((byte)'"');
                    if (quote < 0)
                    {
                        return new(RejectionReasons.InvalidCsv, $"field {count + 1} opens a quote that does not close on this line");
                    }

                    close += quote;
                    if (close + 1 < line.Length && line[close + 1] == '"')
                    {
                        escaped = true;
                        close += 2;
                        continue;
                    }

                    break;
                }

                fields[count++] = new FieldRange(position + 1, close - position - 1, escaped);
                position = close + 1;
                if (position == line.Length)
                {
                    return LineError.None;
                }

                if (line[position] != separator)
                {
                    return new(RejectionReasons.InvalidCsv, $"field {count} has text after its closing quote");
                }

                position++;
            }
            else
            {
                var next = line[position..].IndexOf(separator);
                if (next < 0)
                {
                    fields[count++] = new FieldRange(position, line.Length - position, false);
                    return LineError.None;
                }

                fields[count++] = new FieldRange(position, next, false);
                position += next + 1;
            }
        }

        return LineError.None;
    }

    public static string GetString(ReadOnlySpan<byte> line, FieldRange field)
    {
        var text = Encoding.UTF8.GetString(line.Slice(field.Start, field.Length));
        return field.HasEscapedQuotes ? text.Replace("\"\"", "\"", StringComparison.Ordinal) : text;
    }

    /// <summary>The field's bytes; a field with doubled quotes is unescaped into a new array.</summary>
    public static ReadOnlySpan<byte> GetBytes(ReadOnlySpan<byte> line, FieldRange field) =>
        field.HasEscapedQuotes ? Encoding.UTF8.GetBytes(GetString(line, field)) : line.Slice(field.Start, field.Length);

    /// <summary>Reads a header (or any line) into column names, trimmed.</summary>
    /// <exception cref="InvalidDataException">The line is not valid UTF-8 or breaks quoting.</exception>
    public static IReadOnlyList<string> ReadHeader(ReadOnlySpan<byte> line, byte separator, string fileName)
    {
        if (!System.Text.Unicode.Utf8.IsValid(line))
        {
            throw new InvalidDataException($"{fileName}: the header line is not valid UTF-8.");
        }

        var fields = new FieldRange[MaxColumns];
        var error = Split(line, separator, fields, out var count);
        if (error.IsError)
        {
            throw new InvalidDataException($"{fileName}: the header line is malformed: {error.Message}.");
        }

        var names = new string[count];
        for (var i = 0; i < count; i++)
        {
            names[i] = GetString(line, fields[i]).Trim();
        }

        return names;
    }

    /// <summary>Finds a mapped column, or fails for the whole file.</summary>
    /// <exception cref="InvalidDataException">The column is not among <paramref name="columns"/>.</exception>
    public static int IndexOf(IReadOnlyList<string> columns, string column, string role, string fileName)
    {
        for (var i = 0; i < columns.Count; i++)
        {
            if (string.Equals(columns[i], column.Trim(), StringComparison.OrdinalIgnoreCase))
            {
                return i;
            }
        }

        throw new InvalidDataException($"{fileName}: the {role} column \"{column}\" is not in the header ({string.Join(",", columns)}).");
    }
}
