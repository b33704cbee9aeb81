using ServerlessRec.Retrieval;

namespace ServerlessRec.Core.Tests.Retrieval;

public sealed class CandidateHeapTests
{
    [Theory]
    [InlineData(1, 1_000)]
    [InlineData(50, 10_000)]
    [InlineData(400, 5_000)]
    [InlineData(100, 60)] // fewer items than capacity
    public void Add_RandomStream_KeepsExactlyTheBestCapacityItems(int capacity, int count)
    {
        var random = new Random(capacity + count);
        var scores = Enumerable.Range(0, count).Select(_ => (float)random.NextDouble()).ToArray();
        var heap = new CandidateHeap(capacity);

        for (var i = 0; i < count; i++)
        {
            heap.Add(i, scores[i]);
        }

        var expected = Enumerable.Range(0, count).OrderByDescending(i => scores[i]).Take(capacity).Order();
        Assert.Equal(expected, heap.Indices.ToArray().Order());
        Assert.Equal(count >= capacity ? scores.OrderDescending().ElementAt(capacity - 1) : float.NegativeInfinity, heap.Threshold);
    }

    [Fact]
    public void Add_EqualScores_KeepsTheFirstSeen()
    {
        var heap = new CandidateHeap(2);

        heap.Add(0, 1f);
        heap.Add(1, 1f);
        heap.Add(2, 1f);

        Assert.Equal([0, 1], heap.Indices.ToArray().Order());
    }
}
