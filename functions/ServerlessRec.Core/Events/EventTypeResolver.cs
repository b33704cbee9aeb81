using System.Collections.Concurrent;
using System.Text;

namespace ServerlessRec.Events;

/// <summary>
/// Maps a type as written in a file to its configured name (so "View" and "view" are one type) without
/// allocating on the common path: an exact match of a configured name's UTF-8 bytes. Thread-safe: one
/// reader may read several files at once.
/// </summary>
internal sealed class EventTypeResolver
{
    private const int MaxCachedSpellings = 64;

    private readonly EventTypeOptions _types;
    private readonly (byte[] Utf8, string Name)[] _names;
    private readonly ConcurrentDictionary<string, string> _spellings = new(StringComparer.Ordinal);

    public EventTypeResolver(EventTypeOptions types)
    {
        _types = types;
        _names = [.. types.Types.Keys.Select(k => (Encoding.UTF8.GetBytes(k), k))];
        Known = string.Join(", ", types.Types.Keys.Order(StringComparer.Ordinal));
    }

    /// <summary>Gets the configured names, for messages.</summary>
    public string Known { get; }

    public bool TryResolve(ReadOnlySpan<byte> utf8, out string name)
    {
        foreach (var (bytes, configured) in _names)
        {
            if (utf8.SequenceEqual(bytes))
            {
                name = configured;
                return true;
            }
        }

        return TryResolve(Encoding.UTF8.GetString(utf8), out name);
    }

    public bool TryResolve(string spelling, out string name)
    {
        if (_spellings.TryGetValue(spelling, out var cached))
        {
            name = cached;
            return true;
        }

        if (!_types.IsKnown(spelling))
        {
            name = spelling;
            return false;
        }

        var comparer = _types.Types.Comparer;
        name = _names.First(n => comparer.Equals(n.Name, spelling)).Name;
        if (_spellings.Count < MaxCachedSpellings)
        {
            _spellings.TryAdd(spelling, name);
        }

        return true;
    }

    public LineError Unknown(string spelling) =>
        new(RejectionReasons.UnknownType, $"type {LineError.Show(spelling)} is not configured (known: {Known})");
}
