namespace ServerlessRec.Retrieval;

/// <summary>
/// The best <c>capacity</c> (index, score) pairs of a stream, in no particular order: a binary min-heap, so an
/// insertion costs O(log capacity) however many candidates a compressed scan keeps. On equal scores the item
/// already held stays (the scan visits rows in ascending order, so the lower row wins as in the exact scan).
/// </summary>
internal sealed class CandidateHeap
{
    private readonly int[] _indices;
    private readonly float[] _scores;

    public CandidateHeap(int capacity)
    {
        _indices = new int[Math.Max(1, capacity)];
        _scores = new float[Math.Max(1, capacity)];
    }

    public int Count { get; private set; }

    /// <summary>Gets the score a candidate must beat to enter (−∞ until the heap is full).</summary>
    public float Threshold => Count < _indices.Length ? float.NegativeInfinity : _scores[0];

    /// <summary>Gets the indices held, in heap order.</summary>
    public ReadOnlySpan<int> Indices => _indices.AsSpan(0, Count);

    /// <summary>Gets the scores of <see cref="Indices"/>, in the same order.</summary>
    public ReadOnlySpan<float> Scores => _scores.AsSpan(0, Count);

    public void Add(int index, float score)
    {
        if (Count < _indices.Length)
        {
            // Sift up from the new leaf.
            var child = Count++;
            while (child > 0)
            {
                var parent = (child - 1) / 2;
                if (!(score < _scores[parent]))
                {
                    break;
                }

                _indices[child] = _indices[parent];
                _scores[child] = _scores[parent];
                child = parent;
            }

            _indices[child] = index;
            _scores[child] = score;
            return;
        }

        if (!(score > _scores[0]))
        {
            return;
        }

        // Replace the minimum and sift down.
        var at = 0;
        while (true)
        {
            var left = (2 * at) + 1;
            if (left >= Count)
            {
                break;
            }

            var smaller = left + 1 < Count && _scores[left + 1] < _scores[left] ? left + 1 : left;
            if (!(_scores[smaller] < score))
            {
                break;
            }

            _indices[at] = _indices[smaller];
            _scores[at] = _scores[smaller];
            at = smaller;
        }

        _indices[at] = index;
        _scores[at] = score;
    }
}
