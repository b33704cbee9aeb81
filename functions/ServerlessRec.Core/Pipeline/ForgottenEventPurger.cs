using System.Globalization;
using System.IO.Compression;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using ServerlessRec.Events;
using ServerlessRec.Serving;
using ServerlessRec.Storage;

namespace ServerlessRec.Pipeline;

/// <summary>
/// Erases forgotten users' lines from storage: rewrites every event log blob (<c>events/</c>, all of it, not only the
/// training window) and every quarantine file that holds a line of a tombstoned user dated at or before their
/// <c>forgottenAt</c>, without those lines. Each blob is replaced whole, by a write conditional on the ETag it was read
/// with (retried on a lost race), keeping its name and format (JSON Lines, CSV, TSV, gzip or not); every other line
/// stays byte for byte. A blob is never deleted. <see cref="PurgeState"/> keeps the work incremental.
/// </summary>
/// <remarks>
/// <para>Which lines go:</para>
/// <list type="bullet">
/// <item>An event line whose user id is forgotten and whose timestamp is at or before <c>forgottenAt</c>, or cannot be
/// read (an undatable line of a forgotten user is not shown to be a new profile's).</item>
/// <item>A line that cannot be attributed (not JSON, no user column, a quarantined fragment): dropped when any of its
/// string values or delimited fields is a forgotten user's id, whatever its date.</item>
/// <item>A quarantine record: judged by its <c>text</c> (the rejected line, read in its source file's format), and by
/// the quoted values of its <c>message</c> when the text cannot be attributed.</item>
/// </list>
/// <para>
/// API log blobs (<c>yyyy/MM/dd/HH/api-*.jsonl</c>) of the run's hour and the hour before are not rewritten: serving
/// instances may still append to them, and a replaced blob no longer takes appends. They are recorded as pending and
/// purged by the next run. The ETag condition still guards the others against a late append.
/// </para>
/// </remarks>
public sealed partial class ForgottenEventPurger
{
    /// <summary>How many times a rewrite is tried again after the blob changed between the read and the write.</summary>
    public const int MaxRewriteAttempts = 5;

    /// <summary>The longest id the event contract accepts; longer tokens are never ids.</summary>
    private const int MaxIdLength = 128;

    private readonly IBlobStore _store;

    /// <summary>Creates the purger over a store.</summary>
    public ForgottenEventPurger(IBlobStore store)
    {
        ArgumentNullException.ThrowIfNull(store);
        _store = store;
    }

    /// <summary>
    /// Purges forgotten users' lines. Without new tombstones, only blobs written since the last purge (and those it left
    /// pending) are read, and nothing is written unless they hold a forgotten user's line.
    /// </summary>
    /// <param name="runStart">The run's "now": API log blobs of its hour and the hour before are left pending.</param>
    /// <param name="cancellationToken">Cancels the purge (blobs already rewritten stay rewritten).</param>
    /// <exception cref="IOException">A blob kept changing under the rewrite; nothing was lost, the step may be retried.</exception>
    public async Task<PurgeForgottenResult> PurgeAsync(DateTimeOffset runStart, CancellationToken cancellationToken = default)
    {
        var forgotten = await ForgottenUsers.ReadAllAsync(_store, cancellationToken: cancellationToken).ConfigureAwait(false);
        if (forgotten.Count == 0)
        {
            return new PurgeForgottenResult(0, 0, 0, 0, 0, 0);
        }

        var (state, raw) = await PurgeState.ReadAsync(_store, cancellationToken).ConfigureAwait(false);
        var fingerprints = forgotten.Fingerprints().ToHashSet(StringComparer.Ordinal);
        var newTombstones = fingerprints.Count(f => !state.Tombstones.Contains(f));
        var matcher = new ForgottenMatcher(forgotten);
        var next = new PurgeState { Tombstones = new(fingerprints, StringComparer.Ordinal), ScannedThrough = state.ScannedThrough };
        var deferBefore = new DateTimeOffset(runStart.UtcDateTime.Date.AddHours(runStart.UtcDateTime.Hour), TimeSpan.Zero).AddHours(-1);
        int scanned = 0, purgedBlobs = 0;
        long purgedLines = 0;

        foreach (var container in (string[])[ContainerNames.Events, ContainerNames.Quarantine])
        {
            var entries = new List<BlobEntry>();
            await foreach (var entry in _store.ListAsync(container, cancellationToken: cancellationToken).ConfigureAwait(false))
            {
                entries.Add(entry);
            }

            foreach (var entry in entries)
            {
                var key = $"{container}/{entry.Name}";
                if (next.ScannedThrough is null || entry.LastModified > next.ScannedThrough)
                {
                    next = next with { ScannedThrough = entry.LastModified };
                }

                if (container == ContainerNames.Events && !EventFileFormat.TryFromFileName(entry.Name, out _))
                {
                    continue;
                }

                var unchangedSinceRewrite = state.Rewritten.TryGetValue(key, out var etag) && etag == entry.ETag;
                var needed = newTombstones > 0
                    || state.Pending.Contains(key)
                    || (!unchangedSinceRewrite && (state.ScannedThrough is null || entry.LastModified >= state.ScannedThrough));
                if (!needed)
                {
                    continue;
                }

                if (container == ContainerNames.Events && IsOpenApiLog(entry.Name, deferBefore))
                {
                    next.Pending.Add(key);
                    continue;
                }

                scanned++;
                var (lines, newETag) = await PurgeBlobAsync(container, entry.Name, matcher, cancellationToken).ConfigureAwait(false);
                if (lines > 0)
                {
                    purgedBlobs++;
                    purgedLines += lines;
                    next.Rewritten[key] = newETag!;
                }
            }
        }

        foreach (var fingerprint in fingerprints)
        {
            next.PurgedAt[fingerprint] = state.PurgedAt.TryGetValue(fingerprint, out var at) ? at : runStart;
        }

        var bytes = next.ToBytes();
        if (raw is null || !bytes.AsSpan().SequenceEqual(raw))
        {
            await _store.WriteAsync(ContainerNames.Runs, PurgeState.BlobName, bytes, cancellationToken: cancellationToken).ConfigureAwait(false);
        }

        return new PurgeForgottenResult(fingerprints.Count, newTombstones, scanned, purgedBlobs, purgedLines, next.Pending.Count);
    }

    /// <summary>Whether a blob is an API log of an hour that may still be appended to (the run's hour or the one before).</summary>
    internal static bool IsOpenApiLog(string name, DateTimeOffset deferFrom)
    {
        var file = name.AsSpan(name.LastIndexOf('/') + 1);
        if (!file.StartsWith("api-", StringComparison.Ordinal))
        {
            return false;
        }

        return name.Length >= 13
            && DateTime.TryParseExact(name[..13], "yyyy'/'MM'/'dd'/'HH", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var hour)
            && new DateTimeOffset(hour, TimeSpan.Zero) >= deferFrom;
    }

    /// <summary>Rewrites one blob without the forgotten lines; returns how many went and the new ETag (none when none went).</summary>
    private async Task<(long Lines, string? ETag)> PurgeBlobAsync(string container, string name, ForgottenMatcher matcher, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var blob = await _store.ReadAsync(container, name, cancellationToken).ConfigureAwait(false);
            if (blob is null)
            {
                return (0, null);
            }

            var gzip = blob.Content.Length >= 2 && blob.Content.Span[0] == 0x1F && blob.Content.Span[1] == 0x8B;
            var text = gzip ? Decompress(blob.Content) : blob.Content;
            var (kept, dropped) = Filter(text.Span, container, name, matcher);
            if (dropped == 0)
            {
                return (0, null);
            }

            var content = gzip ? Compress(kept) : kept;
            try
            {
                var etag = await _store.WriteAsync(container, name, content, BlobWriteCondition.Matching(blob.ETag), cancellationToken).ConfigureAwait(false);
                return (dropped, etag);
            }
            catch (BlobConditionFailedException) when (attempt < MaxRewriteAttempts)
            {
                // Appended to (or replaced) since the read: read it again, so the new lines are kept.
            }
            catch (BlobConditionFailedException ex)
            {
                throw new IOException($"{container}/{name} changed under each of {MaxRewriteAttempts} rewrites; it is unchanged and will be purged when the step is retried", ex);
            }
        }
    }

    private static (byte[] Kept, long Dropped) Filter(ReadOnlySpan<byte> text, string container, string name, ForgottenMatcher matcher)
    {
        var output = new MemoryStream(text.Length);
        long dropped = 0;
        var quarantine = container == ContainerNames.Quarantine;
        var format = quarantine ? EventFileFormat.JsonLines : EventFileFormat.FromFileName(name);
        DelimitedColumns? columns = null;
        var headerSeen = format.Kind == EventFileKind.JsonLines;
        while (!text.IsEmpty)
        {
            var end = text.IndexOf((byte)'\n');
            var withEnding = end < 0 ? text : text[..(end + 1)];
            text = end < 0 ? [] : text[(end + 1)..];
            var line = withEnding.TrimEnd("\r\n"u8);
            bool drop;
            if (line.Trim(" \t"u8).IsEmpty)
            {
                drop = false;
            }
            else if (!headerSeen)
            {
                // The header of a delimited file: it names the columns and is always kept.
                headerSeen = true;
                columns = DelimitedColumns.FromHeader(line, (byte)format.Separator);
                drop = false;
            }
            else
            {
                drop = quarantine ? DropQuarantineRecord(line, matcher) : DropEventLine(line, format, columns, matcher);
            }

            if (drop)
            {
                dropped++;
            }
            else
            {
                output.Write(withEnding);
            }
        }

        return (output.ToArray(), dropped);
    }

    private static bool DropEventLine(ReadOnlySpan<byte> line, EventFileFormat format, DelimitedColumns? columns, ForgottenMatcher matcher)
    {
        if (format.Kind == EventFileKind.JsonLines)
        {
            return TryReadJsonEvent(line, out var userId, out var timestamp)
                ? matcher.IsForgottenAt(userId, timestamp)
                : matcher.AnyTokenForgotten(Encoding.UTF8.GetString(line));
        }

        return columns is { } c && c.TryRead(line, (byte)format.Separator, out var user, out var time)
            ? matcher.IsForgottenAt(user, time)
            : matcher.AnyTokenForgotten(Encoding.UTF8.GetString(line));
    }

    private static bool DropQuarantineRecord(ReadOnlySpan<byte> line, ForgottenMatcher matcher)
    {
        string? file = null, text = null, message = null;
        try
        {
            var reader = new Utf8JsonReader(line);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return matcher.AnyTokenForgotten(Encoding.UTF8.GetString(line));
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var property = reader.GetString();
                reader.Read();
                switch (property)
                {
                    case "file" when reader.TokenType == JsonTokenType.String: file = reader.GetString(); break;
                    case "text" when reader.TokenType == JsonTokenType.String: text = reader.GetString(); break;
                    case "message" when reader.TokenType == JsonTokenType.String: message = reader.GetString(); break;
                    default: reader.Skip(); break;
                }
            }
        }
        catch (JsonException)
        {
            return matcher.AnyTokenForgotten(Encoding.UTF8.GetString(line));
        }

        if (text is null)
        {
            // Not a rejected-line record (users.jsonl holds hashes only): judged by its values.
            return matcher.AnyTokenForgotten(Encoding.UTF8.GetString(line));
        }

        var bytes = Encoding.UTF8.GetBytes(text);
        var isJson = file is null || !EventFileFormat.TryFromFileName(file, out var format) || format.Kind == EventFileKind.JsonLines;
        if (isJson && TryReadJsonEvent(bytes, out var userId, out var timestamp))
        {
            return matcher.IsForgottenAt(userId, timestamp);
        }

        // A delimited fragment has no header, a truncated or broken line no structure: any id in it, or quoted in the message, counts.
        return matcher.AnyTokenForgotten(text) || (message is not null && matcher.AnyTokenForgotten(message));
    }

    /// <summary>Reads the top-level <c>userId</c> string and <c>timestamp</c> of a JSON event line (the timestamp is null when unreadable).</summary>
    private static bool TryReadJsonEvent(ReadOnlySpan<byte> line, out string userId, out DateTimeOffset? timestamp)
    {
        userId = string.Empty;
        timestamp = null;
        var found = false;
        try
        {
            var reader = new Utf8JsonReader(line);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return false;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isUser = reader.ValueTextEquals("userId"u8);
                var isTime = reader.ValueTextEquals("timestamp"u8);
                reader.Read();
                if (isUser && reader.TokenType == JsonTokenType.String)
                {
                    userId = reader.GetString()!;
                    found = true;
                }
                else if (isTime && reader.TokenType == JsonTokenType.String)
                {
                    timestamp = TimestampParser.TryParseAuto(Encoding.UTF8.GetBytes(reader.GetString()!), out var t) == TimestampError.None ? t : null;
                }
                else if (isTime && reader.TokenType == JsonTokenType.Number)
                {
                    timestamp = TimestampParser.FromJsonNumber(ref reader, out var t) == TimestampError.None ? t : null;
                }
                else
                {
                    reader.Skip();
                }
            }

            return found;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static ReadOnlyMemory<byte> Decompress(ReadOnlyMemory<byte> content)
    {
        using var input = new GZipStream(new MemoryStream(content.ToArray(), writable: false), CompressionMode.Decompress);
        using var output = new MemoryStream();
        input.CopyTo(output);
        return output.ToArray();
    }

    private static byte[] Compress(byte[] content)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Optimal, leaveOpen: true))
        {
            gzip.Write(content);
        }

        return output.ToArray();
    }

    [GeneratedRegex("\"((?:[^\"\\\\]|\\\\.)*)\"")]
    private static partial Regex JsonStringLiteral();

    /// <summary>The user and timestamp columns of a delimited file, from its header.</summary>
    private sealed record DelimitedColumns(int User, int Timestamp)
    {
        public static DelimitedColumns? FromHeader(ReadOnlySpan<byte> header, byte separator)
        {
            try
            {
                var names = DelimitedLine.ReadHeader(header, separator, "header");
                var mapping = DelimitedColumnMapping.Contract;
                var user = IndexOf(names, mapping.User);
                var time = IndexOf(names, mapping.Timestamp);
                return user < 0 ? null : new DelimitedColumns(user, time);
            }
            catch (InvalidDataException)
            {
                return null;
            }
        }

        public bool TryRead(ReadOnlySpan<byte> line, byte separator, out string userId, out DateTimeOffset? timestamp)
        {
            userId = string.Empty;
            timestamp = null;
            Span<FieldRange> fields = stackalloc FieldRange[Math.Max(User, Timestamp) + 1];
            if (DelimitedLine.Split(line, separator, fields, out var count).IsError || count <= User)
            {
                return false;
            }

            userId = DelimitedLine.GetString(line, fields[User]).Trim();
            if (Timestamp >= 0 && Timestamp < count)
            {
                timestamp = TimestampParser.TryParseAuto(DelimitedLine.GetBytes(line, fields[Timestamp]).Trim(" "u8), out var t) == TimestampError.None ? t : null;
            }

            return true;
        }

        private static int IndexOf(IReadOnlyList<string> names, string column)
        {
            for (var i = 0; i < names.Count; i++)
            {
                if (string.Equals(names[i], column, StringComparison.OrdinalIgnoreCase))
                {
                    return i;
                }
            }

            return -1;
        }
    }

    /// <summary>Answers whether an id (or any token of a line) is a forgotten user's, caching the hashes of ids seen.</summary>
    private sealed class ForgottenMatcher(ForgottenUserSet forgotten)
    {
        private const int MaxCached = 100_000;
        private readonly Dictionary<string, DateTimeOffset?> _cache = new(StringComparer.Ordinal);

        /// <summary>Whether the line of this user dated <paramref name="timestamp"/> (null: undatable) is to be erased.</summary>
        public bool IsForgottenAt(string userId, DateTimeOffset? timestamp) =>
            ForgottenAt(userId) is { } at && (timestamp is not { } t || t <= at);

        /// <summary>Whether any string value or delimited field of an unattributable line is a forgotten user's id.</summary>
        public bool AnyTokenForgotten(string line)
        {
            foreach (Match literal in JsonStringLiteral().Matches(line))
            {
                string value;
                try
                {
                    value = JsonSerializer.Deserialize<string>(literal.Value) ?? string.Empty;
                }
                catch (JsonException)
                {
                    value = literal.Groups[1].Value;
                }

                if (IsId(value))
                {
                    return true;
                }
            }

            foreach (var field in line.Split([',', '\t', ';', '|', ' ', '"', '{', '}', ':', '[', ']'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                if (IsId(field))
                {
                    return true;
                }
            }

            return false;
        }

        private bool IsId(string token) => token.Length is > 0 and <= MaxIdLength && ForgottenAt(token) is not null;

        private DateTimeOffset? ForgottenAt(string userId)
        {
            if (_cache.TryGetValue(userId, out var at))
            {
                return at;
            }

            at = forgotten.ForgottenAt(userId);
            if (_cache.Count < MaxCached)
            {
                _cache[userId] = at;
            }

            return at;
        }
    }
}
