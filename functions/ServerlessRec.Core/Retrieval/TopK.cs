namespace ServerlessRec.Retrieval;

/// <summary>
/// Keeps the k best (index, score) pairs of a stream, best first; on equal scores the lower index wins.
/// Insertion into a sorted buffer: k is small (tens to a few hundred), so this beats a heap.
/// </summary>
internal struct TopK
{
    private readonly int[] _indices;
    private readonly float[] _scores;

    public TopK(int k)
    {
        _indices = new int[Math.Max(1, k)];
        _scores = new float[Math.Max(1, k)];
        Count = 0;
    }

    public int Count { get; private set; }

    public readonly int Capacity => _indices.Length;

    /// <summary>Gets the score an item must beat to enter (−∞ until the buffer is full).</summary>
    public readonly float Threshold => Count < _indices.Length ? float.NegativeInfinity : _scores[Count - 1];

    public readonly ReadOnlySpan<int> Indices => _indices.AsSpan(0, Count);

    public readonly ReadOnlySpan<float> Scores => _scores.AsSpan(0, Count);

    public void Add(int index, float score)
    {
        if (Count == _indices.Length && !(score > _scores[Count - 1]))
        {
            return;
        }

        var position = Count == _indices.Length ? Count - 1 : Count;
        while (position > 0 && score > _scores[position - 1])
        {
            _indices[position] = _indices[position - 1];
            _scores[position] = _scores[position - 1];
            position--;
        }

        _indices[position] = index;
        _scores[position] = score;
        if (Count < _indices.Length)
        {
            Count++;
        }
    }
}
