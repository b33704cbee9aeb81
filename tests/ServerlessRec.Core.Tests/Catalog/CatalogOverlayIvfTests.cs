using System.Numerics.Tensors;
using ServerlessRec.Catalog;
using ServerlessRec.Retrieval;

namespace ServerlessRec.Core.Tests.Catalog;

/// <summary>
/// The catalog's delta segment beside an IVF main index: the delta items lie in the main index's lists and a query
/// probes the same lists in both. The merged search must be what an exhaustive scan over main + delta returns when
/// every list is probed, keep its recall at the chosen nprobe, and apply filters exactly to the delta's items.
/// </summary>
public sealed class CatalogOverlayIvfTests
{
    private const int Dimensions = 32;

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

    /// <summary>
    /// A main catalog of clustered vectors (as trained items are), a delta of which half follows the same clusters and
    /// half lies around centres of its own (new items the item tower places elsewhere), and queries of both kinds.
    /// Categories c0..c9 round-robin; every seventh delta item is unavailable.
    /// </summary>
    private static (List<IndexedItem> Main, List<IndexedItem> Delta, List<float[]> Queries) Catalog(int mainCount, int deltaCount, int queries, int seed)
    {
        var random = new Random(seed);
        var centres = Enumerable.Range(0, 60).Select(_ => Unit(random, null, 0)).ToArray();
        var newCentres = Enumerable.Range(0, 10).Select(_ => Unit(random, null, 0)).ToArray();
        var main = Enumerable.Range(0, mainCount)
            .Select(i => new IndexedItem($"i{i}", Unit(random, centres[random.Next(centres.Length)], 0.08f), [$"c{i % 10}"], true, 0))
            .ToList();
        var delta = Enumerable.Range(0, deltaCount)
            .Select(i => new IndexedItem($"new-{i}", Unit(random, i % 2 == 0 ? centres[random.Next(centres.Length)] : newCentres[random.Next(newCentres.Length)], 0.08f), [$"c{i % 10}"], i % 7 != 3, 0))
            .ToList();
        var asked = Enumerable.Range(0, queries)
            .Select(q => Unit(random, q % 2 == 0 ? centres[random.Next(centres.Length)] : newCentres[random.Next(newCentres.Length)], 0.15f))
            .ToList();
        return (main, delta, asked);
    }

    /// <summary>The exhaustive answer: one exact index over the main items the overlay does not hide, plus the delta.</summary>
    private static EmbeddedItemIndex Combined(List<IndexedItem> main, List<IndexedItem> delta, HashSet<string> hidden) =>
        new("v1", Dimensions, main.Where(i => !hidden.Contains(i.ItemId)).Concat(delta).ToList());

    private static ItemFilter[] Filters(string deltaExcluded) =>
    [
        ItemFilter.None,
        new ItemFilter { AvailableOnly = true },
        new ItemFilter { Categories = ["c3"], AvailableOnly = true },
        new ItemFilter { Categories = ["c1", "c2", "c5", "c6", "c8"], ExcludedItemIds = new HashSet<string>(StringComparer.Ordinal) { "i1", "i12", deltaExcluded } },
    ];

    [Fact]
    public async Task SearchAsync_IvfMainNprobeAllLists_EqualsExhaustiveScanOverMainAndDelta()
    {
        var (main, delta, queries) = Catalog(3_000, 800, 40, seed: 1);
        var exactMain = new EmbeddedItemIndex("v1", Dimensions, main);
        var quantiser = IvfQuantiser.Train(exactMain);
        var ivf = new IvfItemIndex(exactMain, quantiser, nprobe: quantiser.ListCount);
        var hidden = new HashSet<string>(Enumerable.Range(0, 3_000).Where(i => i % 50 == 0).Select(i => $"i{i}"), StringComparer.Ordinal);
        var overlay = CatalogOverlay.Of(ivf, main.Count, new EmbeddedItemIndex("v1", Dimensions, delta), hidden);
        var combined = Combined(main, delta, hidden);

        var deltaHits = 0;
        foreach (var filter in Filters("new-4"))
        {
            foreach (var query in queries)
            {
                var expected = combined.Search(query, 10, filter);
                var found = await overlay.SearchAsync(ivf, query, 10, filter);
                Assert.Equal(expected.Select(r => r.ItemId), found.Select(r => r.ItemId));
                Assert.Equal(expected.Select(r => r.Score), found.Select(r => r.Score));
                deltaHits += found.Count(r => r.ItemId.StartsWith("new-", StringComparison.Ordinal));
            }
        }

        // The comparison means something only if the delta competes: its items are in many of the answers.
        Assert.True(deltaHits > 200, $"{deltaHits} delta items in the answers");
    }

    [Fact]
    public async Task SearchAsync_IvfMainAtChosenNprobe_RecallAtTenIsAtLeast099AndDeltaLiesInTheMainLists()
    {
        var (main, delta, queries) = Catalog(12_000, 1_200, 200, seed: 2);
        var exactMain = new EmbeddedItemIndex("v1", Dimensions, main);
        var ivf = new IvfItemIndex(exactMain, IvfQuantiser.Train(exactMain));
        var overlay = CatalogOverlay.Of(ivf, main.Count, new EmbeddedItemIndex("v1", Dimensions, delta), []);
        var combined = Combined(main, delta, new HashSet<string>());

        // The delta is probed through the main index's lists, not scanned whole.
        var deltaIndex = Assert.IsType<IvfItemIndex>(overlay.DeltaSearch);
        Assert.True(ivf.SharesListsWith(deltaIndex));
        Assert.True(ivf.Nprobe * 4 < ivf.ListCount, $"nprobe {ivf.Nprobe} of {ivf.ListCount}");

        int hits = 0, total = 0;
        foreach (var query in queries)
        {
            var expected = combined.Search(query, 10, ItemFilter.None).Select(r => r.ItemId).ToHashSet(StringComparer.Ordinal);
            hits += (await overlay.SearchAsync(ivf, query, 10, ItemFilter.None)).Count(r => expected.Contains(r.ItemId));
            total += expected.Count;
        }

        var recall = (double)hits / total;
        Assert.True(recall >= 0.99, $"recall@10 {recall:F4} at nprobe {ivf.Nprobe} of {ivf.ListCount}");
    }

    [Fact]
    public async Task SearchAsync_IvfMainWithFilters_DeltaItemsPassExactlyAndUnavailableOrExcludedNeverReturned()
    {
        var (main, delta, queries) = Catalog(3_000, 700, 60, seed: 3);
        var exactMain = new EmbeddedItemIndex("v1", Dimensions, main);
        var ivf = new IvfItemIndex(exactMain, IvfQuantiser.Train(exactMain));
        var overlay = CatalogOverlay.Of(ivf, main.Count, new EmbeddedItemIndex("v1", Dimensions, delta), ["i7"]);
        var byId = main.Concat(delta).ToDictionary(i => i.ItemId, StringComparer.Ordinal);

        // A category only delta items carry: fewer pass than the probe needs, so the delta's own fallback scans all
        // its lists and the answer is exactly the delta's top 10 of that category.
        var onlyNew = delta.Select((item, i) => item with { Categories = i % 25 == 0 ? ["rare"] : item.Categories }).ToList();
        var rareOverlay = CatalogOverlay.Of(ivf, main.Count, new EmbeddedItemIndex("v1", Dimensions, onlyNew), []);
        var rare = new ItemFilter { Categories = ["rare"], AvailableOnly = true };
        var rareExact = new EmbeddedItemIndex("v1", Dimensions, onlyNew);

        foreach (var query in queries)
        {
            foreach (var filter in Filters("new-4"))
            {
                foreach (var found in await overlay.SearchAsync(ivf, query, 10, filter))
                {
                    var item = byId[found.ItemId];
                    Assert.NotEqual("i7", found.ItemId);
                    Assert.True(!filter.AvailableOnly || item.Available, $"{found.ItemId} is unavailable");
                    Assert.True(filter.Categories is not { Count: > 0 } categories || item.Categories.Any(categories.Contains), $"{found.ItemId} fails the category filter");
                    Assert.True(filter.ExcludedItemIds is null || !filter.ExcludedItemIds.Contains(found.ItemId), $"{found.ItemId} is excluded");
                }
            }

            Assert.Equal(
                rareExact.Search(query, 10, rare).Select(r => r.ItemId),
                (await rareOverlay.SearchAsync(ivf, query, 10, rare)).Select(r => r.ItemId));
        }
    }

    [Fact]
    public void SearchWith_SameLists_ReturnsWhatEachIndexReturnsAlone()
    {
        var (main, delta, queries) = Catalog(3_000, 800, 40, seed: 4);
        var exactMain = new EmbeddedItemIndex("v1", Dimensions, main);
        var ivf = new IvfItemIndex(exactMain, IvfQuantiser.Train(exactMain));
        var deltaIndex = ivf.WithSameLists(new EmbeddedItemIndex("v1", Dimensions, delta), oversample: 4, minCandidates: 32);

        foreach (var query in queries)
        {
            foreach (var filter in Filters("new-4"))
            {
                var (own, other) = ivf.SearchWith(deltaIndex, query, 10, filter, 7, filter);
                Assert.Equal(ivf.Search(query, 10, filter).Select(r => r.ItemId), own.Select(r => r.ItemId));
                Assert.Equal(deltaIndex.Search(query, 7, filter).Select(r => r.ItemId), other.Select(r => r.ItemId));
            }
        }

        var unrelated = new IvfItemIndex(exactMain, IvfQuantiser.Train(exactMain));
        Assert.Throws<ArgumentException>(() => ivf.SearchWith(unrelated, queries[0], 10, ItemFilter.None, 10, ItemFilter.None));
    }
}
