using ServerlessRec.Retrieval;

namespace ServerlessRec.Core.Tests.Retrieval;

public sealed class EmbeddedItemIndexTests
{
    internal static IReadOnlyList<IndexedItem> RandomItems(int count, int dimensions, int seed)
    {
        var random = new Random(seed);
        string[] categories = ["drama", "comedy", "sci-fi", "horror"];
        return Enumerable.Range(0, count).Select(i =>
        {
            var v = Enumerable.Range(0, dimensions).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray();
            var norm = MathF.Sqrt(v.Sum(x => x * x));
            return new IndexedItem($"item-{i}", v.Select(x => x / norm).ToArray(), [categories[i % 4], categories[(i / 4) % 4]], Available: i % 7 != 0, Popularity: i % 13);
        }).ToList();
    }

    private static float Dot(ReadOnlyMemory<float> a, float[] b) => a.Span.ToArray().Zip(b, (x, y) => x * y).Sum();

    [Fact]
    public void Search_NoFilter_ReturnsTheExactTopKInOrder()
    {
        var items = RandomItems(500, 16, 1);
        var index = new EmbeddedItemIndex("v1", 16, items);
        var query = items[3].Vector.ToArray();

        var results = index.Search(query, 10, new ItemFilter { AvailableOnly = false });

        var expected = items.OrderByDescending(i => Dot(i.Vector, query)).Take(10).Select(i => i.ItemId).ToList();
        Assert.Equal(expected, results.Select(r => r.ItemId).ToList());
        Assert.Equal("item-3", results[0].ItemId);
    }

    [Theory]
    [InlineData(1_003, 64)] // blocked kernel plus a tail of 3 rows
    [InlineData(997, 24)] // blocked kernel with three chunks per row
    [InlineData(501, 12)] // a dimension the kernel does not take: plain dot products
    [InlineData(5, 64)] // fewer rows than one block
    public void Search_AnySizeAndDimension_MatchesABruteForceRankingWithFilters(int count, int dimensions)
    {
        var items = RandomItems(count, dimensions, count);
        var index = new EmbeddedItemIndex("v1", dimensions, items);
        var query = RandomItems(1, dimensions, 99)[0].Vector.ToArray();
        var filter = new ItemFilter { Categories = ["drama"], ExcludedItemIds = new HashSet<string> { "item-0", "item-8" } };

        var results = index.Search(query, 20, filter);

        var expected = items
            .Where(i => i.Available && i.Categories.Contains("drama") && i.ItemId is not ("item-0" or "item-8"))
            .OrderByDescending(i => Dot(i.Vector, query)).Take(20).ToList();
        Assert.Equal(expected.Select(i => i.ItemId), results.Select(r => r.ItemId));
        Assert.All(results.Zip(expected), p => Assert.Equal(Dot(p.Second.Vector, query), p.First.Score, 1e-5f));
    }

    [Theory]
    [InlineData(1_003, 64)] // the 64-dimension kernel, query in registers
    [InlineData(517, 24)] // the general kernel
    [InlineData(260, 128)]
    public void Search_ScanScores_EqualTheSingleRowScoreBitForBit(int count, int dimensions)
    {
        // The compressed index re-ranks with Score(); a scan score one ulp away from it could reorder ties.
        var items = RandomItems(count, dimensions, count + 7);
        var index = new EmbeddedItemIndex("v1", dimensions, items);
        var query = RandomItems(1, dimensions, 5)[0].Vector.ToArray();

        var results = index.Search(query, count, new ItemFilter { AvailableOnly = false });

        Assert.Equal(count, results.Count);
        Assert.All(results, r => Assert.Equal(index.Score(index.RowOf(r.ItemId), query), r.Score));
    }

    [Fact]
    public void Vectors_AreTheItemsVectorsInRowOrder()
    {
        var items = RandomItems(37, 24, 11);
        var index = new EmbeddedItemIndex("v1", 24, items);

        Assert.Equal(items.SelectMany(i => i.Vector.ToArray()), index.Vectors.ToArray());
        Assert.Equal(items[36].Vector.ToArray(), index.VectorOf(36).ToArray());
    }

    [Fact]
    public void Search_CategoryAvailabilityAndExclusionFilters_AreHonoured()
    {
        var items = RandomItems(400, 8, 2);
        var index = new EmbeddedItemIndex("v1", 8, items);
        var excluded = new HashSet<string>(items.Take(50).Select(i => i.ItemId));
        var filter = new ItemFilter { Categories = ["horror"], AvailableOnly = true, ExcludedItemIds = excluded };

        var results = index.Search(items[0].Vector.Span, 30, filter);

        Assert.Equal(30, results.Count);
        var byId = items.ToDictionary(i => i.ItemId);
        Assert.All(results, r =>
        {
            var item = byId[r.ItemId];
            Assert.Contains("horror", item.Categories);
            Assert.True(item.Available);
            Assert.DoesNotContain(r.ItemId, excluded);
        });
    }

    [Fact]
    public void Search_UnknownCategory_ReturnsNothing()
    {
        var index = new EmbeddedItemIndex("v1", 8, RandomItems(20, 8, 3));

        var results = index.Search(new float[8], 5, new ItemFilter { Categories = ["no-such-category"] });

        Assert.Empty(results);
    }

    [Fact]
    public void MostPopular_ReturnsHighestPopularityFirst()
    {
        var items = RandomItems(100, 4, 4);
        var index = new EmbeddedItemIndex("v1", 4, items);

        var results = index.MostPopular(5, new ItemFilter { AvailableOnly = false });

        Assert.Equal(items.OrderByDescending(i => i.Popularity).ThenBy(i => int.Parse(i.ItemId[5..], System.Globalization.CultureInfo.InvariantCulture)).Take(5).Select(i => i.ItemId), results.Select(r => r.ItemId));
    }

    [Fact]
    public void Constructor_WrongVectorLength_IsRejected()
    {
        var items = new[] { new IndexedItem("a", new float[3], [], true, 0) };

        var error = Assert.Throws<ArgumentException>(() => new EmbeddedItemIndex("v1", 4, items));
        Assert.Contains("\"a\"", error.Message);
    }
}
