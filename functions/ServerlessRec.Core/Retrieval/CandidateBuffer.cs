namespace ServerlessRec.Retrieval;

/// <summary>
/// The best <c>capacity</c> rows of a scan by approximate integer score, kept without a heap: rows are appended to
/// a buffer of twice the capacity, and when it fills a quickselect keeps the best <c>capacity</c> and raises
/// <see cref="Bar"/> to the lowest score kept. An append costs O(1) and a compaction O(capacity); a binary heap paid
/// O(log capacity), with unpredictable branches, for every row that beat the bar (at 800 candidates that was a
/// third of an int4 scan). Order: the higher score first, on equal scores the lower row.
/// </summary>
internal sealed class CandidateBuffer
{
    private readonly long[] _keys;
    private int _count;

    /// <summary>Creates an empty buffer that keeps the best <paramref name="capacity"/> rows.</summary>
    public CandidateBuffer(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        Capacity = capacity;
        _keys = new long[checked(capacity * 2)];
    }

    /// <summary>Gets how many rows are kept.</summary>
    public int Capacity { get; }

    /// <summary>
    /// Gets the score a row must beat to be among the best: <see cref="int.MinValue"/> until the buffer first fills,
    /// then the lowest score kept, so at least <see cref="Capacity"/> rows score that much or more.
    /// </summary>
    public int Bar { get; private set; } = int.MinValue;

    /// <summary>Adds a row (rows are unique).</summary>
    public void Add(int row, int score) => AddKey(Key(row, score));

    /// <summary>Adds the rows another buffer keeps.</summary>
    public void AddFrom(CandidateBuffer other)
    {
        ArgumentNullException.ThrowIfNull(other);
        foreach (var key in other.Best())
        {
            AddKey(key);
        }
    }

    /// <summary>Keeps only the best <see cref="Capacity"/> rows and returns their rows, in no particular order.</summary>
    public int[] Rows()
    {
        var best = Best();
        var rows = new int[best.Length];
        for (var i = 0; i < best.Length; i++)
        {
            rows[i] = RowOf(best[i]);
        }

        return rows;
    }

    /// <summary>Orders (score, row) as one integer: higher score first, then the lower row.</summary>
    internal static long Key(int row, int score) => ((long)score << 32) | (uint)(int.MaxValue - row);

    internal static int RowOf(long key) => int.MaxValue - (int)(uint)key;

    internal static int ScoreOf(long key) => (int)(key >> 32);

    /// <summary>
    /// Reorders <paramref name="keys"/> (distinct) so that the <paramref name="k"/> largest come first, in no
    /// particular order: Hoare's selection, expected O(length).
    /// </summary>
    internal static void SelectLargest(Span<long> keys, int k)
    {
        var target = k - 1;
        var lo = 0;
        var hi = keys.Length - 1;
        while (lo < hi)
        {
            var pivot = MedianOfThree(keys[lo], keys[lo + ((hi - lo) / 2)], keys[hi]);
            var i = lo;
            var j = hi;
            while (i <= j)
            {
                while (keys[i] > pivot)
                {
                    i++;
                }

                while (keys[j] < pivot)
                {
                    j--;
                }

                if (i <= j)
                {
                    (keys[i], keys[j]) = (keys[j], keys[i]);
                    i++;
                    j--;
                }
            }

            // Now keys[lo..j] ≥ pivot ≥ keys[i..hi], and anything between equals the pivot.
            if (target <= j)
            {
                hi = j;
            }
            else if (target >= i)
            {
                lo = i;
            }
            else
            {
                return;
            }
        }
    }

    private ReadOnlySpan<long> Best()
    {
        if (_count > Capacity)
        {
            Compact();
        }

        return _keys.AsSpan(0, _count);
    }

    private void AddKey(long key)
    {
        _keys[_count++] = key;
        if (_count == _keys.Length)
        {
            Compact();
        }
    }

    private void Compact()
    {
        var keys = _keys.AsSpan(0, _count);
        SelectLargest(keys, Capacity);
        var lowest = long.MaxValue;
        foreach (var key in keys[..Capacity])
        {
            lowest = Math.Min(lowest, key);
        }

        _count = Capacity;
        Bar = Math.Max(Bar, ScoreOf(lowest));
    }

    private static long MedianOfThree(long a, long b, long c) =>
        a < b ? (b < c ? b : Math.Max(a, c)) : (a < c ? a : Math.Max(b, c));
}
