using System.Text;

namespace ServerlessRec.Events;

/// <summary>
/// Reuses the string of a short UTF-8 value seen recently (a direct-mapped table of the last string per hash slot),
/// so the user and item ids that repeat through a log are not allocated again on every line.
/// </summary>
/// <remarks>Not thread-safe: one per file being read.</remarks>
internal sealed class Utf8StringCache
{
    /// <summary>Longer values are decoded every time: ids this long rarely repeat often enough to pay for the compare.</summary>
    public const int MaxCachedBytes = 64;

    private const int Slots = 4096;
    private readonly byte[]?[] _keys = new byte[Slots][];
    private readonly string[] _values = new string[Slots];

    /// <summary>Returns the string of <paramref name="utf8"/>, which must be valid UTF-8.</summary>
    public string GetString(ReadOnlySpan<byte> utf8)
    {
        if (utf8.Length > MaxCachedBytes)
        {
            return Encoding.UTF8.GetString(utf8);
        }

        var hash = new HashCode();
        hash.AddBytes(utf8);
        var slot = hash.ToHashCode() & (Slots - 1);
        var key = _keys[slot];
        if (key is not null && utf8.SequenceEqual(key))
        {
            return _values[slot];
        }

        var value = Encoding.UTF8.GetString(utf8);
        _keys[slot] = utf8.ToArray();
        _values[slot] = value;
        return value;
    }
}
