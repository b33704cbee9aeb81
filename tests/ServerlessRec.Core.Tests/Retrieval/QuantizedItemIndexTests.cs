using System.Numerics.Tensors;
using ServerlessRec.Retrieval;

namespace ServerlessRec.Core.Tests.Retrieval;

public sealed class QuantizedItemIndexTests
{
    private static float[] RandomUnitVector(Random random, int dimensions)
    {
        var v = new float[dimensions];
        for (var j = 0; j < dimensions; j++)
        {
            v[j] = (float)(random.NextDouble() - 0.5);
        }

        TensorPrimitives.Divide(v, TensorPrimitives.Norm(v), v);
        return v;
    }

    private static List<IndexedItem> ClusteredItems(int count, int dimensions, int clusters, float spread, int seed)
    {
        var random = new Random(seed);
        var centres = Enumerable.Range(0, clusters).Select(_ => RandomUnitVector(random, dimensions)).ToArray();
        return Enumerable.Range(0, count).Select(i =>
        {
            var v = RandomUnitVector(random, dimensions);
            TensorPrimitives.MultiplyAdd(v, spread, centres[i % clusters], v);
            TensorPrimitives.Divide(v, TensorPrimitives.Norm(v), v);
            return new IndexedItem($"item-{i}", v, ["all"], Available: true, Popularity: 0);
        }).ToList();
    }

    private static double RecallAt10(EmbeddedItemIndex exact, QuantizedItemIndex quantized, IReadOnlyList<float[]> queries, ItemFilter filter)
    {
        var hits = 0;
        var total = 0;
        foreach (var query in queries)
        {
            var expected = exact.Search(query, 10, filter).Select(r => r.ItemId).ToHashSet();
            hits += quantized.Search(query, 10, filter).Count(r => expected.Contains(r.ItemId));
            total += expected.Count;
        }

        return (double)hits / total;
    }

    [Theory]
    [InlineData(8, 64)]
    [InlineData(4, 64)]
    [InlineData(4, 100)] // two int4 chunks per row, the second half padding
    [InlineData(8, 24)] // one int8 chunk per row: the general kernel
    [InlineData(8, 100)] // four int8 chunks per row
    [InlineData(4, 24)]
    public void Search_RandomNormalisedVectors_RecallAt10IsAtLeast099(int bits, int dimensions)
    {
        var exact = new EmbeddedItemIndex("v1", dimensions, EmbeddedItemIndexTests.RandomItems(20_000, dimensions, 11));
        var quantized = new QuantizedItemIndex(exact, bits: bits);
        var random = new Random(12);
        var queries = Enumerable.Range(0, 50).Select(_ => RandomUnitVector(random, dimensions)).ToList();

        var recall = RecallAt10(exact, quantized, queries, new ItemFilter { AvailableOnly = false });

        Assert.True(recall >= 0.99, $"recall@10 = {recall}");
    }

    [Theory]
    [InlineData(8)]
    [InlineData(4)]
    public void Search_ClusteredVectors_RecallAt10IsAtLeast099(int bits)
    {
        var items = ClusteredItems(20_000, 64, 50, 0.3f, 13);
        var exact = new EmbeddedItemIndex("v1", 64, items);
        var quantized = new QuantizedItemIndex(exact, bits: bits);
        var queries = Enumerable.Range(0, 50).Select(q => items[q * 397].Vector.ToArray()).ToList();

        var recall = RecallAt10(exact, quantized, queries, ItemFilter.None);

        Assert.True(recall >= 0.99, $"recall@10 = {recall}");
    }

    [Theory]
    [InlineData(8)]
    [InlineData(4)]
    public void Search_ParallelScanOverLargeMatrix_MatchesExactTopK(int bits)
    {
        // 300k × 64 rows (int8 19 MB, int4 9.6 MB) exceed the parallel threshold, so the per-thread candidates are merged.
        var exact = new EmbeddedItemIndex("v1", 64, EmbeddedItemIndexTests.RandomItems(bits == 8 ? 300_000 : 600_000, 64, 14));
        var quantized = new QuantizedItemIndex(exact, maxDegreeOfParallelism: 4, bits: bits);
        var random = new Random(15);
        var queries = Enumerable.Range(0, 10).Select(_ => RandomUnitVector(random, 64)).ToList();

        var recall = RecallAt10(exact, quantized, queries, ItemFilter.None);

        Assert.True(recall >= 0.99, $"recall@10 = {recall}");
    }

    [Fact]
    public void Constructor_BitsOtherThan8Or4_IsRejected()
    {
        var exact = new EmbeddedItemIndex("v1", 8, EmbeddedItemIndexTests.RandomItems(20, 8, 3));

        Assert.Throws<ArgumentOutOfRangeException>(() => new QuantizedItemIndex(exact, bits: 2));
    }

    [Fact]
    public void Int4_ScansHalfTheBytesOfInt8()
    {
        var exact = new EmbeddedItemIndex("v1", 64, EmbeddedItemIndexTests.RandomItems(1_000, 64, 3));

        Assert.Equal(new QuantizedItemIndex(exact).ScannedBytes / 2, new QuantizedItemIndex(exact, bits: 4).ScannedBytes);
    }

    [Fact]
    public void Search_ReturnedScores_EqualExactDotProducts()
    {
        var items = EmbeddedItemIndexTests.RandomItems(5_000, 64, 16);
        var exact = new EmbeddedItemIndex("v1", 64, items);
        var quantized = new QuantizedItemIndex(exact);
        var query = RandomUnitVector(new Random(17), 64);
        var byId = items.ToDictionary(i => i.ItemId);

        var results = quantized.Search(query, 20, new ItemFilter { AvailableOnly = false });

        Assert.Equal(20, results.Count);
        Assert.All(results, r => Assert.Equal(TensorPrimitives.Dot(byId[r.ItemId].Vector.Span, query), r.Score, 1e-6f));
        Assert.Equal(results.OrderByDescending(r => r.Score).Select(r => r.ItemId), results.Select(r => r.ItemId));
        Assert.Equal(exact.Search(query, 20, new ItemFilter { AvailableOnly = false }), results);
    }

    [Fact]
    public void Search_CategoryAvailabilityAndExclusionFilters_AreHonoured()
    {
        var items = EmbeddedItemIndexTests.RandomItems(4_000, 64, 18);
        var exact = new EmbeddedItemIndex("v1", 64, items);
        var quantized = new QuantizedItemIndex(exact);
        var query = items[0].Vector.ToArray();
        var excluded = exact.Search(query, 50, ItemFilter.None).Select(r => r.ItemId).Take(25).ToHashSet();
        var filter = new ItemFilter { Categories = ["horror"], AvailableOnly = true, ExcludedItemIds = excluded };

        var results = quantized.Search(query, 30, filter);

        Assert.Equal(30, results.Count);
        var byId = items.ToDictionary(i => i.ItemId);
        Assert.All(results, r =>
        {
            var item = byId[r.ItemId];
            Assert.Contains("horror", item.Categories);
            Assert.True(item.Available);
            Assert.DoesNotContain(r.ItemId, excluded);
        });
        Assert.Equal(exact.Search(query, 30, filter), results);
    }

    [Theory]
    [InlineData(150)] // removed at the re-rank: the candidates grow by as many
    [InlineData(1_500)] // more than are deferred: removed during the scan
    public void Search_ExcludingTheBestRows_ReturnsTheExactTopKOfTheRest(int excludedCount)
    {
        var items = EmbeddedItemIndexTests.RandomItems(6_000, 64, 31);
        var exact = new EmbeddedItemIndex("v1", 64, items);

        // 20 candidates for k = 10: without the extra ones the excluded rows would fill every slot.
        var quantized = new QuantizedItemIndex(exact, oversample: 2, minCandidates: 1);
        var query = items[5].Vector.ToArray();
        var excluded = exact.Search(query, excludedCount, ItemFilter.None).Select(r => r.ItemId).ToHashSet();
        var filter = new ItemFilter { AvailableOnly = false, ExcludedItemIds = excluded };

        var results = quantized.Search(query, 10, filter);

        Assert.Equal(exact.Search(query, 10, filter), results);
        Assert.DoesNotContain(results, r => excluded.Contains(r.ItemId));
    }

    [Fact]
    public void Search_QueryWhoseLargestComponentIsNegative_FindsTheExactTopK()
    {
        // Regression: the query scale came from a signed max-magnitude, zeroing every negative-led query.
        var items = EmbeddedItemIndexTests.RandomItems(2_000, 64, 24);
        var exact = new EmbeddedItemIndex("v1", 64, items);
        var quantized = new QuantizedItemIndex(exact, oversample: 2, minCandidates: 1);
        var query = items[5].Vector.ToArray();
        TensorPrimitives.Negate(query, query);
        query[0] = -1f;
        TensorPrimitives.Divide(query, TensorPrimitives.Norm(query), query);

        Assert.Equal(exact.Search(query, 10, ItemFilter.None), quantized.Search(query, 10, ItemFilter.None));
    }

    [Theory]
    [InlineData(8)]
    [InlineData(4)]
    public void Search_NoItems_ReturnsNothing(int bits)
    {
        var exact = new EmbeddedItemIndex("v1", 64, []);
        var quantized = new QuantizedItemIndex(exact, bits: bits);

        Assert.Empty(exact.Search(new float[64], 5, ItemFilter.None));
        Assert.Empty(quantized.Search(new float[64], 5, new ItemFilter { ExcludedItemIds = new HashSet<string> { "gone" } }));
    }

    [Fact]
    public void Search_UnknownCategory_ReturnsNothing()
    {
        var quantized = new QuantizedItemIndex(new EmbeddedItemIndex("v1", 8, EmbeddedItemIndexTests.RandomItems(20, 8, 19)));

        var results = quantized.Search(new float[8], 5, new ItemFilter { Categories = ["no-such-category"] });

        Assert.Empty(results);
    }

    [Fact]
    public void Search_FewerItemsThanK_ReturnsEveryPassingItemLikeExact()
    {
        var exact = new EmbeddedItemIndex("v1", 40, EmbeddedItemIndexTests.RandomItems(13, 40, 20));
        var quantized = new QuantizedItemIndex(exact);
        var query = RandomUnitVector(new Random(21), 40);

        Assert.Equal(exact.Search(query, 50, ItemFilter.None), quantized.Search(query, 50, ItemFilter.None));
    }

    [Fact]
    public async Task SearchAsync_ReturnsSameAsSearch()
    {
        var exact = new EmbeddedItemIndex("v7", 16, EmbeddedItemIndexTests.RandomItems(300, 16, 22));
        var quantized = new QuantizedItemIndex(exact);
        var query = RandomUnitVector(new Random(23), 16);

        var results = await quantized.SearchAsync(query, 5, ItemFilter.None);

        Assert.Equal("v7", quantized.Version);
        Assert.Equal(quantized.Search(query, 5, ItemFilter.None), results);
    }
}
