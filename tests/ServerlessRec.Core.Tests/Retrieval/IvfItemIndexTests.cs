using System.Numerics.Tensors;
using ServerlessRec.Retrieval;

namespace ServerlessRec.Core.Tests.Retrieval;

public sealed class IvfItemIndexTests
{
    private const int Dimensions = 32;

    /// <summary>Unit vectors around random centres, as trained item vectors tend to be; the first <paramref name="count"/> items, then as many queries.</summary>
    private static (List<IndexedItem> Items, List<float[]> Queries) Clustered(int count, int queries, int clusters, int seed, Func<int, IReadOnlyList<string>>? categories = null, Func<int, bool>? available = null)
    {
        var random = new Random(seed);
        var centres = Enumerable.Range(0, clusters).Select(_ => Unit(random, null, 0)).ToArray();
        var vectors = Enumerable.Range(0, count + queries).Select(_ => Unit(random, centres[random.Next(clusters)], 0.08f)).ToList();
        var items = Enumerable.Range(0, count)
            .Select(i => new IndexedItem($"item-{i}", vectors[i], categories?.Invoke(i) ?? ["all"], available?.Invoke(i) ?? true, 0))
            .ToList();
        return (items, vectors.Skip(count).ToList());
    }

    private static float[] Unit(Random random, float[]? centre, float spread)
    {
        var v = new float[Dimensions];
        for (var j = 0; j < Dimensions; j++)
        {
            var g = MathF.Sqrt(-2f * MathF.Log(1f - random.NextSingle())) * MathF.Cos(2f * MathF.PI * random.NextSingle());
            v[j] = centre is null ? g : centre[j] + (spread * g);
        }

        TensorPrimitives.Divide(v, TensorPrimitives.Norm(v), v);
        return v;
    }

    private static double Recall(EmbeddedItemIndex exact, IvfItemIndex index, IEnumerable<float[]> queries, ItemFilter filter, int k = 10)
    {
        int hits = 0, total = 0;
        foreach (var query in queries)
        {
            var expected = exact.Search(query, k, filter).Select(r => r.ItemId).ToHashSet(StringComparer.Ordinal);
            hits += index.Search(query, k, filter).Count(r => expected.Contains(r.ItemId));
            total += expected.Count;
        }

        return (double)hits / total;
    }

    [Fact]
    public void Search_NprobeAllLists_ReturnsTheExactTopTen()
    {
        var (items, queries) = Clustered(3_000, 30, 40, seed: 1);
        var exact = new EmbeddedItemIndex("v1", Dimensions, items);
        var quantiser = IvfQuantiser.Train(exact);
        var ivf = new IvfItemIndex(exact, quantiser, nprobe: quantiser.ListCount);

        foreach (var query in queries)
        {
            var expected = exact.Search(query, 10, ItemFilter.None);
            var found = ivf.Search(query, 10, ItemFilter.None);
            Assert.Equal(expected.Select(r => r.ItemId), found.Select(r => r.ItemId));
            Assert.Equal(expected.Select(r => r.Score), found.Select(r => r.Score));
        }
    }

    [Fact]
    public void Search_ChosenNprobeOnClusteredVectors_RecallAtTenIsAtLeast099WhileProbingFewLists()
    {
        var (items, queries) = Clustered(20_000, 200, 300, seed: 2);
        var exact = new EmbeddedItemIndex("v1", Dimensions, items);

        var quantiser = IvfQuantiser.Train(exact);
        var ivf = new IvfItemIndex(exact, quantiser);

        Assert.InRange(quantiser.ListCount, 400, 700); // ≈ 4·√20,000 = 566
        Assert.True(ivf.Nprobe * 4 < ivf.ListCount, $"nprobe {ivf.Nprobe} of {ivf.ListCount} lists");
        Assert.True(quantiser.CalibrationRecall >= 0.995, $"calibration recall {quantiser.CalibrationRecall}");
        var recall = Recall(exact, ivf, queries, ItemFilter.None);
        Assert.True(recall >= 0.99, $"recall@10 {recall:F4} at nprobe {ivf.Nprobe} of {ivf.ListCount}");
    }

    [Fact]
    public void Train_DefaultOptionsAt64Dimensions_KeepTheIndexWithinOnePointOneTimesTheInt8Codes()
    {
        // 4·√20,000 = 566 lists of 64 half floats would add 5.7% to the 1.28 MB of codes on top of the row map's 6.25%.
        const int d = 64;
        var random = new Random(6);
        var items = Enumerable.Range(0, 20_000).Select(i =>
        {
            var v = new float[d];
            for (var j = 0; j < d; j++)
            {
                v[j] = random.NextSingle() - 0.5f;
            }

            return new IndexedItem($"item-{i}", v, ["all"], true, 0);
        }).ToList();
        var exact = new EmbeddedItemIndex("v1", d, items);

        var ivf = new IvfItemIndex(exact, IvfQuantiser.Train(exact));

        Assert.True((double)ivf.MemoryBytes / ivf.CodeBytes <= 1.1, $"{(double)ivf.MemoryBytes / ivf.CodeBytes:F4}× the int8 codes with {ivf.ListCount} lists");
        Assert.True(ivf.ListCount >= 141, $"{ivf.ListCount} lists: fewer than √N");
    }

    [Theory]
    [InlineData(1.1, 20_000, 64, 363)]
    [InlineData(1.1, 100_000, 64, 1_818)]
    [InlineData(1.1, 20_000, 32, int.MaxValue)] // the row map alone is 12.5% of the codes: nothing to gain from fewer lists
    [InlineData(1.5, 20_000, 32, 3_529)]
    public void MaxListsWithin_MemoryRatio_CapsTheListsWhereTheBudgetCanBeMet(double ratio, int items, int dimensions, int expected) =>
        Assert.Equal(expected, IvfQuantiser.MaxListsWithin(ratio, items, dimensions));

    [Fact]
    public void Train_SameSeed_GivesTheSameLists()
    {
        var (items, _) = Clustered(4_000, 0, 50, seed: 3);
        var exact = new EmbeddedItemIndex("v1", Dimensions, items);

        var first = IvfQuantiser.Train(exact);
        var second = IvfQuantiser.Train(exact);

        Assert.Equal(first.ToBytes(), second.ToBytes());
    }

    [Fact]
    public void Search_CategoryAvailabilityAndExclusionFilters_ReturnOnlyPassingItemsAndMatchTheExactScan()
    {
        var (items, queries) = Clustered(8_000, 40, 80, seed: 4, categories: i => [$"c{i % 4}"], available: i => i % 5 != 0);
        var exact = new EmbeddedItemIndex("v1", Dimensions, items);
        var ivf = new IvfItemIndex(exact, IvfQuantiser.Train(exact));
        var hits = 0;
        var total = 0;
        foreach (var query in queries)
        {
            // Exclude the best unfiltered items, as a user's seen items would be.
            var excluded = exact.Search(query, 5, ItemFilter.None).Select(r => r.ItemId).ToHashSet(StringComparer.Ordinal);
            var filter = new ItemFilter { Categories = ["c1", "c2"], AvailableOnly = true, ExcludedItemIds = excluded };
            Assert.False(ivf.ScansAllLists(filter));

            var found = ivf.Search(query, 10, filter);

            Assert.Equal(10, found.Count);
            Assert.All(found, r =>
            {
                var row = exact.RowOf(r.ItemId);
                Assert.True(row % 4 is 1 or 2, $"{r.ItemId} is not in c1 or c2");
                Assert.True(exact.IsAvailable(row), $"{r.ItemId} is unavailable");
                Assert.DoesNotContain(r.ItemId, excluded);
                Assert.Equal(exact.Score(row, query), r.Score);
            });
            var expected = exact.Search(query, 10, filter).Select(r => r.ItemId).ToHashSet(StringComparer.Ordinal);
            hits += found.Count(r => expected.Contains(r.ItemId));
            total += expected.Count;
        }

        Assert.True(hits >= 0.99 * total, $"filtered recall@10 {(double)hits / total:F4}");
    }

    [Fact]
    public void Search_VerySelectiveFilter_FallsBackToTheExhaustiveScanAndFindsTheExactTopTen()
    {
        // One item in 50 has the rare category: a probe of one list finds almost none of them.
        var (items, queries) = Clustered(6_000, 20, 60, seed: 5, categories: i => i % 50 == 7 ? ["rare", "all"] : ["all"]);
        var exact = new EmbeddedItemIndex("v1", Dimensions, items);
        var ivf = new IvfItemIndex(exact, IvfQuantiser.Train(exact), nprobe: 1);
        var rare = new ItemFilter { Categories = ["rare"] };

        Assert.True(ivf.ScansAllLists(rare));
        Assert.False(ivf.ScansAllLists(new ItemFilter { Categories = ["all"] }));
        foreach (var query in queries)
        {
            Assert.Equal(exact.Search(query, 10, rare).Select(r => r.ItemId), ivf.Search(query, 10, rare).Select(r => r.ItemId));
        }
    }

    [Fact]
    public void Search_ProbedListsHoldFewerMatchesThanK_CompletesFromTheExhaustiveScan()
    {
        // A category of a quarter of the items passes the selectivity estimate, but the one probed list may hold fewer
        // than k of them: the search still returns k.
        var (items, queries) = Clustered(4_000, 20, 400, seed: 6, categories: i => [$"c{i % 4}"]);
        var exact = new EmbeddedItemIndex("v1", Dimensions, items);
        var quantiser = IvfQuantiser.Train(exact, options: new IvfOptions { ListsPerRootItem = 16 });
        var ivf = new IvfItemIndex(exact, quantiser, nprobe: 1);
        var filter = new ItemFilter { Categories = ["c3"] };

        Assert.False(ivf.ScansAllLists(filter));
        Assert.All(queries, q => Assert.Equal(50, ivf.Search(q, 50, filter).Count));
    }

    [Fact]
    public void Read_BytesOfToBytes_GiveTheSameQuantiser()
    {
        var (items, _) = Clustered(2_000, 0, 20, seed: 7);
        var exact = new EmbeddedItemIndex("v1", Dimensions, items);
        var quantiser = IvfQuantiser.Train(exact);

        var read = IvfQuantiser.Read(quantiser.ToBytes(), 2_000, Dimensions);

        Assert.Equal(quantiser.Nprobe, read.Nprobe);
        Assert.Equal(quantiser.ListCount, read.ListCount);
        Assert.Equal(quantiser.Centroids.ToArray(), read.Centroids.ToArray());
        Assert.Equal(quantiser.Lists.ToArray(), read.Lists.ToArray());
        Assert.Throws<InvalidDataException>(() => IvfQuantiser.Read(quantiser.ToBytes(), 1_999, Dimensions));
        Assert.Throws<InvalidDataException>(() => IvfQuantiser.Read(quantiser.ToBytes().AsSpan(0, 100), 2_000, Dimensions));
    }
}
