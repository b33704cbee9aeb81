using System.Text;

namespace ServerlessRec.Training;

/// <summary>
/// Maps category and tag names to feature indices by hashing into a fixed number of buckets, so the
/// model needs no feature vocabulary and an unseen category still gets a stable index. Index 0 is padding.
/// </summary>
public sealed class ItemFeatureHasher
{
    /// <summary>Creates a hasher with <paramref name="buckets"/> buckets (feature indices 1..buckets).</summary>
    public ItemFeatureHasher(int buckets)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(buckets, 1);
        Buckets = buckets;
    }

    /// <summary>Gets the number of buckets; feature indices run from 1 to this value.</summary>
    public int Buckets { get; }

    /// <summary>Returns the feature index of a category.</summary>
    public int Category(string name) => Index("c:", name);

    /// <summary>Returns the feature index of a tag.</summary>
    public int Tag(string name) => Index("t:", name);

    private int Index(string prefix, string name)
    {
        // FNV-1a over the UTF-8 bytes of the case-folded name: stable across processes and platforms.
        var hash = 14695981039346656037UL;
        Span<byte> buffer = stackalloc byte[256];
        var text = prefix + name.Trim().ToUpperInvariant();
        var bytes = Encoding.UTF8.GetByteCount(text) <= buffer.Length ? buffer[..Encoding.UTF8.GetBytes(text, buffer)] : Encoding.UTF8.GetBytes(text);
        foreach (var b in bytes)
        {
            hash = (hash ^ b) * 1099511628211UL;
        }

        return 1 + (int)(hash % (ulong)Buckets);
    }
}
