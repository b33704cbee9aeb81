using System.CommandLine;
using ServerlessRec.Events;

namespace ServerlessRec.Cli.Commands;

/// <summary>The options that say how to read an event file (<c>--format</c> and the column mapping), shared by import and evaluate.</summary>
internal sealed class EventFileOptions
{
    private readonly Option<string> _format = new("--format") { Description = "jsonl, csv, tsv or movielens; by default from the file name.", HelpName = "jsonl|csv|tsv|movielens" };
    private readonly Option<string> _userColumn = new("--user-column") { Description = "The CSV/TSV column of the user id.", HelpName = "C" };
    private readonly Option<string> _itemColumn = new("--item-column") { Description = "The CSV/TSV column of the item id.", HelpName = "C" };
    private readonly Option<string> _timestampColumn = new("--timestamp-column") { Description = "The CSV/TSV column of the timestamp.", HelpName = "C" };
    private readonly Option<string> _typeColumn = new("--type-column") { Description = "The CSV/TSV column of the event type.", HelpName = "C" };
    private readonly Option<string> _type = new("--type") { Description = "One event type for every line of a CSV/TSV file.", HelpName = "T" };
    private readonly Option<string> _valueColumn = new("--value-column") { Description = "The CSV/TSV column of the value, or none.", HelpName = "C|none" };
    private readonly Option<string> _timestampFormat = new("--timestamp-format") { Description = "How CSV/TSV timestamps are written.", HelpName = "auto|unix|unix-ms|iso" };
    private readonly Option<string>[] _columns;

    public EventFileOptions()
    {
        _columns = [_userColumn, _itemColumn, _timestampColumn, _typeColumn, _type, _valueColumn, _timestampFormat];
    }

    /// <summary>Gets the options, to add to a command.</summary>
    public IEnumerable<Option> Options => [_format, .. _columns];

    /// <summary>Gets a value indicating whether <c>--format</c> was given.</summary>
    public bool FormatGiven(ParseResult parse) => parse.GetResult(_format) is { Implicit: false };

    /// <summary>Resolves the format of the file at <paramref name="path"/> from the options and its name.</summary>
    public EventFileFormat Resolve(ParseResult parse, string path)
    {
        var name = parse.GetValue(_format);
        var columnOptionsGiven = _columns.Where(o => parse.GetResult(o) is { Implicit: false }).Select(o => o.Name).ToList();
        DelimitedColumnMapping? mapping = name switch
        {
            null => EventFileFormat.TryFromFileName(path, out var byName) ? byName.Columns : throw new CliUsageException($"cannot tell the format of \"{path}\" from its name; add --format jsonl|csv|tsv|movielens."),
            "jsonl" => null,
            "csv" or "tsv" => DelimitedColumnMapping.Contract,
            "movielens" => DelimitedColumnMapping.MovieLensRatings,
            _ => throw new CliUsageException($"--format must be jsonl, csv, tsv or movielens, got \"{name}\"."),
        };

        if (mapping is null)
        {
            return columnOptionsGiven.Count == 0
                ? EventFileFormat.JsonLines
                : throw new CliUsageException($"{columnOptionsGiven[0]} applies to csv, tsv and movielens files, not JSON Lines.");
        }

        mapping = mapping with
        {
            User = parse.GetValue(_userColumn) ?? mapping.User,
            Item = parse.GetValue(_itemColumn) ?? mapping.Item,
            Timestamp = parse.GetValue(_timestampColumn) ?? mapping.Timestamp,
            TimestampFormat = parse.GetValue(_timestampFormat) switch
            {
                null => mapping.TimestampFormat,
                "auto" => DelimitedTimestampFormat.Auto,
                "unix" => DelimitedTimestampFormat.UnixSeconds,
                "unix-ms" => DelimitedTimestampFormat.UnixMilliseconds,
                "iso" => DelimitedTimestampFormat.Iso8601,
                var other => throw new CliUsageException($"--timestamp-format must be auto, unix, unix-ms or iso, got \"{other}\"."),
            },
        };
        if (parse.GetValue(_type) is { } fixedType)
        {
            mapping = mapping with { Type = null, FixedType = fixedType };
        }

        if (parse.GetValue(_typeColumn) is { } typeColumn)
        {
            mapping = mapping with { Type = typeColumn, FixedType = parse.GetResult(_type) is { Implicit: false } ? mapping.FixedType : null };
        }

        if (parse.GetValue(_valueColumn) is { } valueColumn)
        {
            mapping = mapping with { Value = valueColumn == "none" ? null : valueColumn };
        }

        var separator = name switch
        {
            "tsv" => '\t',
            null when path.Replace(".gz", string.Empty, StringComparison.OrdinalIgnoreCase).EndsWith(".tsv", StringComparison.OrdinalIgnoreCase) => '\t',
            _ => ',',
        };
        try
        {
            return EventFileFormat.Delimited(separator, mapping);
        }
        catch (ArgumentException ex)
        {
            throw new CliUsageException(ex.Message);
        }
    }
}
