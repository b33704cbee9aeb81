using ServerlessRec.Retrieval;

namespace ServerlessRec.Core.Tests.Retrieval;

public sealed class CandidateBufferTests
{
    [Theory]
    [InlineData(1, 1_000)]
    [InlineData(50, 10_000)]
    [InlineData(800, 5_000)]
    [InlineData(100, 60)] // fewer rows than the capacity
    [InlineData(7, 14)] // exactly one compaction
    public void Add_RandomStream_KeepsExactlyTheBestCapacityRows(int capacity, int count)
    {
        var random = new Random(capacity + count);

        // Scores from a small range, so ties are common and the lower row must win them.
        var scores = Enumerable.Range(0, count).Select(_ => random.Next(-50, 50)).ToArray();
        var buffer = new CandidateBuffer(capacity);

        for (var row = 0; row < count; row++)
        {
            buffer.Add(row, scores[row]);
        }

        var expected = Enumerable.Range(0, count).OrderByDescending(r => scores[r]).ThenBy(r => r).Take(capacity).Order();
        Assert.Equal(expected, buffer.Rows().Order());
    }

    [Fact]
    public void Bar_AfterCompaction_IsTheLowestScoreKeptAndNeverFalls()
    {
        var buffer = new CandidateBuffer(3);
        Assert.Equal(int.MinValue, buffer.Bar);

        foreach (var (row, score) in new[] { (0, 5), (1, 9), (2, 1), (3, 7), (4, 3), (5, 8) })
        {
            buffer.Add(row, score);
        }

        // Six rows filled the buffer: the best three are 9, 8 and 7.
        Assert.Equal(7, buffer.Bar);
        for (var row = 6; row < 12; row++)
        {
            buffer.Add(row, 100 + row);
        }

        Assert.Equal(109, buffer.Bar);
        Assert.Equal([9, 10, 11], buffer.Rows().Order());
    }

    [Fact]
    public void AddFrom_MergesTheBestOfSeveralBuffers()
    {
        var random = new Random(3);
        var scores = Enumerable.Range(0, 3_000).Select(_ => random.Next(0, 1_000)).ToArray();
        var parts = Enumerable.Range(0, 3).Select(_ => new CandidateBuffer(40)).ToArray();
        for (var row = 0; row < scores.Length; row++)
        {
            parts[row / 1_000].Add(row, scores[row]);
        }

        var merged = new CandidateBuffer(40);
        foreach (var part in parts)
        {
            merged.AddFrom(part);
        }

        Assert.Equal(Enumerable.Range(0, scores.Length).OrderByDescending(r => scores[r]).ThenBy(r => r).Take(40).Order(), merged.Rows().Order());
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(17)]
    [InlineData(500)]
    [InlineData(999)]
    [InlineData(1_000)]
    public void SelectLargest_AnyK_PutsTheKLargestFirst(int k)
    {
        var random = new Random(k);
        var keys = Enumerable.Range(0, 1_000).Select(r => CandidateBuffer.Key(r, random.Next(-5, 5))).ToArray();
        var expected = keys.OrderDescending().Take(k).Order().ToArray();

        CandidateBuffer.SelectLargest(keys, k);

        Assert.Equal(expected, keys.Take(k).Order());
    }

    [Theory]
    [InlineData(0, 0)]
    [InlineData(12_345, -99_000)]
    [InlineData(int.MaxValue - 1, int.MaxValue)]
    [InlineData(7, int.MinValue)]
    public void Key_RoundTripsRowAndScore(int row, int score)
    {
        var key = CandidateBuffer.Key(row, score);

        Assert.Equal(row, CandidateBuffer.RowOf(key));
        Assert.Equal(score, CandidateBuffer.ScoreOf(key));
    }
}
