using System.Diagnostics.CodeAnalysis;

namespace ServerlessRec.Events;

/// <summary>
/// How an event file is laid out: JSON Lines, or delimited values with a separator, a header (or given
/// column names) and a <see cref="DelimitedColumnMapping"/>. Gzip is not part of the format: readers
/// decompress transparently.
/// </summary>
public sealed class EventFileFormat
{
    private EventFileFormat(EventFileKind kind, char separator, bool hasHeader, DelimitedColumnMapping? columns, IReadOnlyList<string>? columnNames)
    {
        Kind = kind;
        Separator = separator;
        HasHeader = hasHeader;
        Columns = columns;
        ColumnNames = columnNames;
    }

    /// <summary>Gets the JSON Lines format of the event contract.</summary>
    public static EventFileFormat JsonLines { get; } = new(EventFileKind.JsonLines, '\0', false, null, null);

    /// <summary>Gets the MovieLens <c>ratings.csv</c> preset (see <see cref="DelimitedColumnMapping.MovieLensRatings"/>).</summary>
    public static EventFileFormat MovieLensRatings { get; } = Csv(DelimitedColumnMapping.MovieLensRatings);

    /// <summary>Gets the family of the format.</summary>
    public EventFileKind Kind { get; }

    /// <summary>Gets the field separator of a delimited format (an ASCII character), or <c>'\0'</c> for JSON Lines.</summary>
    public char Separator { get; }

    /// <summary>Gets a value indicating whether the first non-blank line of a delimited file is a header.</summary>
    public bool HasHeader { get; }

    /// <summary>Gets the column mapping of a delimited format, or <see langword="null"/> for JSON Lines.</summary>
    public DelimitedColumnMapping? Columns { get; }

    /// <summary>Gets the column names, in file order, of a delimited file without a header.</summary>
    public IReadOnlyList<string>? ColumnNames { get; }

    /// <summary>Comma-separated values with a header.</summary>
    /// <param name="columns">The mapping; the default is <see cref="DelimitedColumnMapping.Contract"/>.</param>
    public static EventFileFormat Csv(DelimitedColumnMapping? columns = null) => Delimited(',', columns ?? DelimitedColumnMapping.Contract);

    /// <summary>Tab-separated values with a header.</summary>
    /// <param name="columns">The mapping; the default is <see cref="DelimitedColumnMapping.Contract"/>.</param>
    public static EventFileFormat Tsv(DelimitedColumnMapping? columns = null) => Delimited('\t', columns ?? DelimitedColumnMapping.Contract);

    /// <summary>Separated values with any ASCII separator.</summary>
    /// <param name="separator">The field separator: ASCII, not a quote or a line break.</param>
    /// <param name="columns">Which columns hold what.</param>
    /// <param name="columnNames">For a file without a header: the names of its columns in order. <see langword="null"/> means the file has a header.</param>
    /// <exception cref="ArgumentException">The separator or the mapping is unusable.</exception>
    public static EventFileFormat Delimited(char separator, DelimitedColumnMapping columns, IReadOnlyList<string>? columnNames = null)
    {
        ArgumentNullException.ThrowIfNull(columns);
        if (separator is '"' or '\r' or '\n' or '\0' || separator > 127)
        {
            throw new ArgumentException($"The separator must be an ASCII character other than a quote or a line break, got U+{(int)separator:X4}.", nameof(separator));
        }

        columns.Validate();
        return new EventFileFormat(EventFileKind.Delimited, separator, columnNames is null, columns, columnNames?.ToArray());
    }

    /// <summary>
    /// Picks the format from a file name: <c>.jsonl</c>/<c>.ndjson</c> are JSON Lines, <c>.csv</c> and
    /// <c>.tsv</c> delimited with <paramref name="columns"/>; a trailing <c>.gz</c> is ignored.
    /// </summary>
    /// <exception cref="ArgumentException">The extension is none of these.</exception>
    public static EventFileFormat FromFileName(string fileName, DelimitedColumnMapping? columns = null) =>
        TryFromFileName(fileName, out var format, columns)
            ? format
            : throw new ArgumentException($"Cannot tell the format of \"{fileName}\" from its name: expected .jsonl, .ndjson, .csv or .tsv (optionally .gz).", nameof(fileName));

    /// <summary>Picks the format from a file name, as <see cref="FromFileName"/>; returns <see langword="false"/> for an unknown extension.</summary>
    public static bool TryFromFileName(string fileName, [NotNullWhen(true)] out EventFileFormat? format, DelimitedColumnMapping? columns = null)
    {
        ArgumentNullException.ThrowIfNull(fileName);
        var name = fileName.EndsWith(".gz", StringComparison.OrdinalIgnoreCase) ? fileName[..^3] : fileName;
        format = Path.GetExtension(name).ToUpperInvariant() switch
        {
            ".JSONL" or ".NDJSON" => JsonLines,
            ".CSV" => Csv(columns),
            ".TSV" => Tsv(columns),
            _ => null,
        };
        return format is not null;
    }

    /// <inheritdoc/>
    public override string ToString() => Kind == EventFileKind.JsonLines
        ? "JSON Lines"
        : Separator switch { ',' => "CSV", '\t' => "TSV", _ => $"'{Separator}'-separated" };
}
