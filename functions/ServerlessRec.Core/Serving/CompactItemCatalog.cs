using System.Text.Json;
using ServerlessRec.Onnx;
using ServerlessRec.Retrieval;

namespace ServerlessRec.Serving;

/// <summary>
/// What a serving instance in AI Search mode keeps of the catalog: item id → vocabulary index as sorted 64-bit
/// fingerprints of the ids (12 bytes an item instead of a dictionary of strings), each item's popularity (4 bytes), and
/// the <see cref="PopularListSize"/> most popular items with their filter metadata. Item ids of results come from the
/// search index, so the ids themselves are not kept. Built in one pass over <c>items.jsonl</c>.
/// </summary>
internal sealed class CompactItemCatalog
{
    /// <summary>How many of the most popular items are kept for users without history and for the fallback.</summary>
    public const int PopularListSize = 10_000;

    private readonly ulong[] _fingerprints;
    private readonly int[] _indexes;
    private readonly int[] _popularity;
    private readonly Dictionary<string, int> _collisions;
    private readonly PopularItem[] _popular;

    private CompactItemCatalog(ulong[] fingerprints, int[] indexes, int[] popularity, Dictionary<string, int> collisions, PopularItem[] popular)
    {
        _fingerprints = fingerprints;
        _indexes = indexes;
        _popularity = popularity;
        _collisions = collisions;
        _popular = popular;
    }

    /// <summary>Gets the number of items.</summary>
    public int Count => _popularity.Length;

    /// <summary>Gets the most popular items, most popular first (ties: lower index first, as the embedded index ranks them).</summary>
    public IReadOnlyList<PopularItem> Popular => _popular;

    /// <summary>Reads <c>items.jsonl</c> from a local file (verified by its producer).</summary>
    /// <exception cref="ModelIntegrityException">The file does not hold <paramref name="itemCount"/> items in index order.</exception>
    public static CompactItemCatalog Read(string itemsPath, int itemCount, string version)
    {
        var fingerprints = new ulong[itemCount];
        var indexes = new int[itemCount];
        var popularity = new int[itemCount];
        var top = new PriorityQueue<PopularItem, (long Popularity, int Index)>(Comparer<(long Popularity, int Index)>.Create((a, b) => a.Popularity != b.Popularity ? a.Popularity.CompareTo(b.Popularity) : b.Index.CompareTo(a.Index)));
        var categories = new Dictionary<string, string>(StringComparer.Ordinal);
        var row = 0;
        foreach (var item in ReadItems(itemsPath))
        {
            if (row >= itemCount || item.Index != row + 1)
            {
                throw new ModelIntegrityException($"model {version}: items.jsonl is not in index order or holds more than {itemCount} items at line {row + 1}");
            }

            fingerprints[row] = Fingerprint(item.ItemId);
            indexes[row] = item.Index;
            popularity[row] = (int)Math.Clamp(item.Popularity, 0, int.MaxValue);
            var key = (item.Popularity, item.Index);
            if (top.Count < PopularListSize || top.Comparer.Compare(key, top.Peek().Key()) > 0)
            {
                // Category names repeat across the list: one string each.
                var shared = Array.ConvertAll(item.Categories, c => categories.TryGetValue(c, out var s) ? s : categories[c] = c);
                var entry = new PopularItem(item.ItemId, item.Index, shared, item.Available, item.Popularity);
                if (top.Count < PopularListSize)
                {
                    top.Enqueue(entry, key);
                }
                else
                {
                    top.EnqueueDequeue(entry, key);
                }
            }

            row++;
        }

        if (row != itemCount)
        {
            throw new ModelIntegrityException($"model {version}: items.jsonl holds {row} items, the manifest {itemCount}");
        }

        Array.Sort(fingerprints, indexes);
        var colliding = new HashSet<ulong>();
        for (var i = 1; i < fingerprints.Length; i++)
        {
            if (fingerprints[i] == fingerprints[i - 1])
            {
                colliding.Add(fingerprints[i]);
            }
        }

        // Two ids with one fingerprint (about one catalog in 30 million at a million items) are looked up exactly.
        var collisions = new Dictionary<string, int>(StringComparer.Ordinal);
        if (colliding.Count > 0)
        {
            foreach (var item in ReadItems(itemsPath))
            {
                if (colliding.Contains(Fingerprint(item.ItemId)))
                {
                    collisions[item.ItemId] = item.Index;
                }
            }
        }

        var popular = new PopularItem[top.Count];
        for (var i = popular.Length - 1; i >= 0; i--)
        {
            popular[i] = top.Dequeue();
        }

        return new CompactItemCatalog(fingerprints, indexes, popularity, collisions, popular);
    }

    /// <summary>Returns the vocabulary index of an item (0 when unknown; an unknown id shares a known one's fingerprint with probability items/2^64).</summary>
    public int IndexOf(string itemId)
    {
        if (_collisions.Count > 0 && _collisions.TryGetValue(itemId, out var exact))
        {
            return exact;
        }

        var fingerprint = Fingerprint(itemId);
        var at = Array.BinarySearch(_fingerprints, fingerprint);
        return at < 0 || _collisions.Count > 0 && IsColliding(at) ? 0 : _indexes[at];
    }

    /// <summary>Gets the popularity of a vocabulary index (1..Count).</summary>
    public long PopularityOf(int index) => _popularity[index - 1];

    /// <summary>Gets the popularity at the catalog's lower quartile.</summary>
    public long LowerQuartile()
    {
        if (_popularity.Length == 0)
        {
            return 0;
        }

        var sorted = (int[])_popularity.Clone();
        Array.Sort(sorted);
        return sorted[sorted.Length / 4];
    }

    /// <summary>The most popular items of the list that pass the filter; the scores are popularities, as in the embedded index.</summary>
    public IReadOnlyList<ScoredItem> MostPopular(int k, ItemFilter filter)
    {
        ArgumentNullException.ThrowIfNull(filter);
        var results = new List<ScoredItem>(k);
        var categories = filter.Categories is { Count: > 0 } wanted ? new HashSet<string>(wanted, StringComparer.Ordinal) : null;
        foreach (var item in _popular)
        {
            if (results.Count == k)
            {
                break;
            }

            if ((filter.AvailableOnly && !item.Available)
                || (filter.ExcludedItemIds is { } excluded && excluded.Contains(item.ItemId))
                || (categories is not null && !Array.Exists(item.Categories, categories.Contains)))
            {
                continue;
            }

            results.Add(new ScoredItem(item.ItemId, item.Popularity));
        }

        return results;
    }

    /// <summary>A 64-bit FNV-1a hash of the id's UTF-16 code units, finished with the SplitMix64 mixer.</summary>
    internal static ulong Fingerprint(string itemId)
    {
        var hash = 14695981039346656037UL;
        foreach (var c in itemId)
        {
            hash = (hash ^ c) * 1099511628211UL;
        }

        hash = (hash ^ (hash >> 30)) * 0xbf58476d1ce4e5b9UL;
        hash = (hash ^ (hash >> 27)) * 0x94d049bb133111ebUL;
        return hash ^ (hash >> 31);
    }

    private bool IsColliding(int at) =>
        (at > 0 && _fingerprints[at - 1] == _fingerprints[at]) || (at + 1 < _fingerprints.Length && _fingerprints[at + 1] == _fingerprints[at]);

    private static IEnumerable<ModelItem> ReadItems(string path)
    {
        using var reader = new StreamReader(path, System.Text.Encoding.UTF8, detectEncodingFromByteOrderMarks: false, bufferSize: 1 << 16);
        while (reader.ReadLine() is { } line)
        {
            if (line.Length > 0)
            {
                yield return JsonSerializer.Deserialize<ModelItem>(line) ?? throw new ModelIntegrityException("items.jsonl has an empty line");
            }
        }
    }
}
