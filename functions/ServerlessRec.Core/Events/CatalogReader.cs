using System.Text.Json;
using System.Text.Unicode;

namespace ServerlessRec.Events;

/// <summary>
/// Reads catalog files line by line with constant memory, rejecting bad lines with reasons exactly as
/// <see cref="EventFileReader"/> does (same codes, same <see cref="RejectedLine"/>).
/// </summary>
public sealed class CatalogReader
{
    /// <summary>The MovieLens genre list of a movie without genres.</summary>
    public const string MovieLensNoGenres = "(no genres listed)";

    private const int MaxLabelLength = 128;
    private const int MaxSharedLabels = 10_000;

    private readonly EventReaderOptions _options;

    /// <summary>Creates a reader.</summary>
    /// <param name="options">The limits; the defaults when <see langword="null"/>.</param>
    public CatalogReader(EventReaderOptions? options = null)
    {
        _options = options ?? new EventReaderOptions();
        _options.Validate();
    }

    /// <summary>Picks the format from a file name: <c>.jsonl</c> is <see cref="CatalogFileFormat.JsonLines"/>, <c>.csv</c> is MovieLens <c>movies.csv</c>; <c>.gz</c> is ignored.</summary>
    /// <exception cref="ArgumentException">The extension is neither.</exception>
    public static CatalogFileFormat FormatFromFileName(string fileName)
    {
        ArgumentNullException.ThrowIfNull(fileName);
        var name = fileName.EndsWith(".gz", StringComparison.OrdinalIgnoreCase) ? fileName[..^3] : fileName;
        return Path.GetExtension(name).ToUpperInvariant() switch
        {
            ".JSONL" or ".NDJSON" => CatalogFileFormat.JsonLines,
            ".CSV" => CatalogFileFormat.MovieLensMovies,
            _ => throw new ArgumentException($"Cannot tell the catalog format of \"{fileName}\": expected items .jsonl or MovieLens movies .csv.", nameof(fileName)),
        };
    }

    /// <summary>Reads one catalog file to the end.</summary>
    /// <param name="stream">The content; gzip is detected by its magic bytes. Not disposed.</param>
    /// <param name="fileName">The file or blob name, used in rejections and messages.</param>
    /// <param name="format">The layout.</param>
    /// <param name="sink">Receives items and rejected lines.</param>
    /// <param name="cancellationToken">Checked between buffer reads.</param>
    /// <exception cref="InvalidDataException">The file as a whole is unusable (a movies.csv header without movieId, title or genres).</exception>
    public EventFileSummary Read(Stream stream, string fileName, CatalogFileFormat format, ICatalogSink sink, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentException.ThrowIfNullOrEmpty(fileName);
        ArgumentNullException.ThrowIfNull(sink);
        var file = new FileParse(fileName, format, sink, _options.MaxLineBytes);
        using var input = CompressedInput.Open(stream, fileName);
        using var scanner = new LineScanner(input, _options.MaxLineBytes);
        while (true)
        {
            file.Drain(scanner);
            if (scanner.IsCompleted)
            {
                return file.Tally.ToSummary();
            }

            cancellationToken.ThrowIfCancellationRequested();
            scanner.Fill();
        }
    }

    /// <summary>Reads one catalog file to the end, awaiting the stream's reads.</summary>
    /// <inheritdoc cref="Read" path="/param"/>
    /// <inheritdoc cref="Read" path="/exception"/>
    public async Task<EventFileSummary> ReadAsync(Stream stream, string fileName, CatalogFileFormat format, ICatalogSink sink, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentException.ThrowIfNullOrEmpty(fileName);
        ArgumentNullException.ThrowIfNull(sink);
        var file = new FileParse(fileName, format, sink, _options.MaxLineBytes);
        var input = await CompressedInput.OpenAsync(stream, fileName, cancellationToken).ConfigureAwait(false);
        await using (input.ConfigureAwait(false))
        {
            using var scanner = new LineScanner(input, _options.MaxLineBytes);
            while (true)
            {
                file.Drain(scanner);
                if (scanner.IsCompleted)
                {
                    return file.Tally.ToSummary();
                }

                await scanner.FillAsync(cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private sealed class FileParse(string fileName, CatalogFileFormat format, ICatalogSink sink, int maxLineBytes)
    {
        // Categories and tags repeat on every line: share one string per label.
        private readonly Dictionary<string, string> _labels = new(StringComparer.Ordinal);
        private int _movieId = -1;
        private int _title = -1;
        private int _genres = -1;

        public RejectionTally Tally { get; } = new(fileName, sink);

        public void Drain(LineScanner scanner)
        {
            while (true)
            {
                var kind = scanner.TryReadLine(out var line);
                if (kind == ScannedLine.NeedMore)
                {
                    return;
                }

                if (kind == ScannedLine.TooLong)
                {
                    Tally.Lines++;
                    Tally.Reject(scanner.LineNumber, new(RejectionReasons.LineTooLong, $"the line is longer than {maxLineBytes} bytes"), line, truncated: true);
                    continue;
                }

                if (line.IndexOfAnyExcept(" \t"u8) < 0)
                {
                    continue;
                }

                if (format == CatalogFileFormat.MovieLensMovies && _movieId < 0)
                {
                    var header = DelimitedLine.ReadHeader(line, (byte)',', fileName);
                    _movieId = DelimitedLine.IndexOf(header, "movieId", "item", fileName);
                    _title = DelimitedLine.IndexOf(header, "title", "title", fileName);
                    _genres = DelimitedLine.IndexOf(header, "genres", "genres", fileName);
                    continue;
                }

                Tally.Lines++;
                if (!Utf8.IsValid(line))
                {
                    Tally.Reject(scanner.LineNumber, EventFileReader.InvalidUtf8(line), line);
                    continue;
                }

                CatalogItem? item;
                var error = format == CatalogFileFormat.JsonLines ? ParseJson(line, out item) : ParseMovie(line, out item);
                if (error.IsError)
                {
                    Tally.Reject(scanner.LineNumber, error, line);
                }
                else
                {
                    Tally.Accepted++;
                    sink.OnItem(item!);
                }
            }
        }

        private LineError ParseMovie(ReadOnlySpan<byte> line, out CatalogItem? item)
        {
            item = null;
            var needed = Math.Max(_movieId, Math.Max(_title, _genres)) + 1;
            Span<FieldRange> fields = stackalloc FieldRange[needed];
            var error = DelimitedLine.Split(line, (byte)',', fields, out var count);
            if (error.IsError)
            {
                return error;
            }

            if (count < needed)
            {
                return new(RejectionReasons.MissingField, $"the line has {count} field{(count == 1 ? string.Empty : "s")}; {needed} are needed");
            }

            var id = DelimitedLine.GetString(line, fields[_movieId]).Trim();
            error = LineError.CheckId("movieId", id);
            if (error.IsError)
            {
                return error;
            }

            var title = DelimitedLine.GetString(line, fields[_title]);
            var genres = new List<string>();
            foreach (var range in DelimitedLine.GetString(line, fields[_genres]).Split('|', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            {
                if (range != MovieLensNoGenres)
                {
                    error = CheckLabel("genres", range);
                    if (error.IsError)
                    {
                        return error;
                    }

                    genres.Add(Share(range));
                }
            }

            item = new CatalogItem(id, title.Length == 0 ? null : title, genres, []);
            return LineError.None;
        }

        private LineError ParseJson(ReadOnlySpan<byte> line, out CatalogItem? item)
        {
            item = null;
            string? id = null;
            string? title = null;
            IReadOnlyList<string> categories = [];
            IReadOnlyList<string> tags = [];
            var available = true;
            var deleted = false;
            JsonElement? attributes = null;
            DateTimeOffset? firstSeen = null;
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
                    if (reader.ValueTextEquals("itemId"u8))
                    {
                        reader.Read();
                        id = reader.TokenType switch
                        {
                            JsonTokenType.String => reader.GetString(),
                            JsonTokenType.Null => null,
                            _ => Keep(ref error, new(RejectionReasons.BadField, "itemId must be a string")),
                        };
                    }
                    else if (reader.ValueTextEquals("title"u8))
                    {
                        reader.Read();
                        title = reader.TokenType switch
                        {
                            JsonTokenType.String => reader.GetString(),
                            JsonTokenType.Null => null,
                            _ => Keep(ref error, new(RejectionReasons.BadField, "title must be a string or null")),
                        };
                    }
                    else if (reader.ValueTextEquals("categories"u8))
                    {
                        reader.Read();
                        categories = ReadLabels(ref reader, "categories", ref error);
                    }
                    else if (reader.ValueTextEquals("tags"u8))
                    {
                        reader.Read();
                        tags = ReadLabels(ref reader, "tags", ref error);
                    }
                    else if (reader.ValueTextEquals("available"u8))
                    {
                        reader.Read();
                        available = reader.TokenType switch
                        {
                            JsonTokenType.True or JsonTokenType.Null => true,
                            JsonTokenType.False => false,
                            _ => Keep(ref error, new(RejectionReasons.BadField, "available must be true, false or null")) is null,
                        };
                    }
                    else if (reader.ValueTextEquals("deleted"u8))
                    {
                        reader.Read();
                        deleted = reader.TokenType switch
                        {
                            JsonTokenType.True => true,
                            JsonTokenType.False or JsonTokenType.Null => false,
                            _ => Keep(ref error, new(RejectionReasons.BadField, "deleted must be true, false or null")) is not null,
                        };
                    }
                    else if (reader.ValueTextEquals("attributes"u8))
                    {
                        reader.Read();
                        if (reader.TokenType == JsonTokenType.StartObject)
                        {
                            attributes = JsonElement.ParseValue(ref reader);
                        }
                        else if (reader.TokenType != JsonTokenType.Null)
                        {
                            Keep(ref error, new(RejectionReasons.BadField, "attributes must be a JSON object or null"));
                        }
                    }
                    else if (reader.ValueTextEquals("firstSeen"u8))
                    {
                        reader.Read();
                        if (reader.TokenType == JsonTokenType.String && reader.TryGetDateTimeOffset(out var seen))
                        {
                            firstSeen = seen;
                        }
                        else if (reader.TokenType != JsonTokenType.Null)
                        {
                            Keep(ref error, new(RejectionReasons.BadField, "firstSeen must be an ISO-8601 time or null"));
                        }
                    }
                    else
                    {
                        reader.Read();
                    }

                    reader.Skip();
                }

                if (reader.TokenType != JsonTokenType.EndObject || reader.Read())
                {
                    return new(RejectionReasons.InvalidJson, "the line is not one JSON object");
                }
            }
            catch (JsonException ex)
            {
                return new(RejectionReasons.InvalidJson, $"invalid JSON at byte {ex.BytePositionInLine ?? 0}");
            }

            if (error.IsError)
            {
                return error;
            }

            error = LineError.CheckId("itemId", id);
            if (error.IsError)
            {
                return error;
            }

            item = new CatalogItem(id!, title, categories, tags, available) { Deleted = deleted, Attributes = attributes, FirstSeen = firstSeen };
            return LineError.None;
        }

        private List<string> ReadLabels(ref Utf8JsonReader reader, string field, ref LineError error)
        {
            var labels = new List<string>();
            if (reader.TokenType == JsonTokenType.Null)
            {
                return labels;
            }

            if (reader.TokenType != JsonTokenType.StartArray)
            {
                Keep(ref error, new(RejectionReasons.BadField, $"{field} must be an array of strings"));
                return labels;
            }

            while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            {
                if (reader.TokenType != JsonTokenType.String)
                {
                    Keep(ref error, new(RejectionReasons.BadField, $"{field} must be an array of strings"));
                    reader.Skip();
                    continue;
                }

                var label = reader.GetString()!.Trim();
                var problem = CheckLabel(field, label);
                if (problem.IsError)
                {
                    Keep(ref error, problem);
                }
                else if (label.Length > 0)
                {
                    labels.Add(Share(label));
                }
            }

            return labels;
        }

        private static LineError CheckLabel(string field, string label)
        {
            if (label.Length > MaxLabelLength)
            {
                return new(RejectionReasons.BadField, $"{field} has an entry of {label.Length} characters; the limit is {MaxLabelLength}");
            }

            return LineError.IndexOfControl(label) >= 0
                ? new(RejectionReasons.ControlCharacter, $"{field} entry {LineError.Show(label)} contains a control character")
                : LineError.None;
        }

        private static string? Keep(ref LineError error, LineError found)
        {
            if (!error.IsError)
            {
                error = found;
            }

            return null;
        }

        private string Share(string label)
        {
            if (_labels.TryGetValue(label, out var shared))
            {
                return shared;
            }

            if (_labels.Count < MaxSharedLabels)
            {
                _labels[label] = label;
            }

            return label;
        }
    }
}
