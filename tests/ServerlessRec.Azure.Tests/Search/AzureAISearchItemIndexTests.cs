using System.Numerics.Tensors;
using ServerlessRec.Azure.Search;
using ServerlessRec.Retrieval;

namespace ServerlessRec.Azure.Tests.Search;

public sealed class AzureAISearchItemIndexTests : IAsyncLifetime
{
    private const int Dimensions = 8;
    private FakeSearchService _service = null!;
    private List<IndexedItem> _items = null!;

    public async Task InitializeAsync()
    {
        _service = await FakeSearchService.StartAsync();
        _items = SearchTestBackend.RandomItems(60, Dimensions, seed: 11);
    }

    public async Task DisposeAsync() => await _service.DisposeAsync();

    [Fact]
    public async Task SearchAsync_Defaults_SendsPreFilteredVectorQuery()
    {
        var index = await PublishAsync();
        var query = SearchTestBackend.RandomQuery(Dimensions, seed: 3);

        await index.SearchAsync(query, 5, ItemFilter.None);

        var body = Assert.Single(_service.RequestsTo("/docs/search.post.search")).Json;
        var vectorQuery = Assert.Single(body["vectorQueries"]!.AsArray())!.AsObject();
        Assert.Equal("vector", vectorQuery["kind"]!.GetValue<string>());
        Assert.Equal(query, vectorQuery["vector"]!.AsArray().Select(v => v!.GetValue<float>()));
        Assert.Equal(5, vectorQuery["k"]!.GetValue<int>());
        Assert.Equal("embedding", vectorQuery["fields"]!.GetValue<string>());
        Assert.Null(vectorQuery["exhaustive"]);
        Assert.Equal("available eq true", body["filter"]!.GetValue<string>());
        Assert.Equal("preFilter", body["vectorFilterMode"]!.GetValue<string>());
        Assert.Equal("id,itemId", body["select"]!.GetValue<string>());
        Assert.Equal(5, body["top"]!.GetValue<int>());
        Assert.Null(body["search"]);
    }

    [Fact]
    public async Task SearchAsync_ExhaustiveKnnConfigured_SendsExhaustiveTrue()
    {
        var index = await PublishAsync(o => o.ExhaustiveKnn = true);

        await index.SearchAsync(SearchTestBackend.RandomQuery(Dimensions, seed: 3), 5, ItemFilter.None);

        var vectorQuery = Assert.Single(_service.RequestsTo("/docs/search.post.search")).Json["vectorQueries"]![0]!;
        Assert.True(vectorQuery["exhaustive"]!.GetValue<bool>());
    }

    [Fact]
    public async Task SearchAsync_NothingToFilter_SendsNoFilter()
    {
        var index = await PublishAsync();

        await index.SearchAsync(SearchTestBackend.RandomQuery(Dimensions, seed: 3), 5, new ItemFilter { AvailableOnly = false, Categories = [] });

        Assert.Null(Assert.Single(_service.RequestsTo("/docs/search.post.search")).Json["filter"]);
    }

    [Fact]
    public async Task SearchAsync_HostileCategoriesAndIds_SendsEscapedFilter()
    {
        var index = await PublishAsync();
        string[] categories = ["O'Reilly", "a,b c", "x' or true or 'y", "日本 語"];
        var excluded = new HashSet<string>(StringComparer.Ordinal) { "it's,1", "ü 2" };

        await index.SearchAsync(SearchTestBackend.RandomQuery(Dimensions, seed: 3), 5, new ItemFilter { Categories = categories, ExcludedItemIds = excluded });

        var filter = Assert.Single(_service.RequestsTo("/docs/search.post.search")).Json["filter"]!.GetValue<string>();
        var keys = string.Join(',', excluded.Select(ItemDocumentKey.Encode));
        Assert.Equal(
            "available eq true and categories/any(c: c eq 'O''Reilly' or c eq 'a,b c' or c eq 'x'' or true or ''y' or c eq '日本 語') " +
            $"and not search.in(id, '{keys}', ',')",
            filter);
    }

    [Fact]
    public async Task SearchAsync_ExcludedBestItems_ReturnsKOthers()
    {
        var index = await PublishAsync();
        var query = SearchTestBackend.RandomQuery(Dimensions, seed: 5);
        var best = await index.SearchAsync(query, 3, ItemFilter.None);
        var excluded = best.Select(r => r.ItemId).ToHashSet(StringComparer.Ordinal);

        var results = await index.SearchAsync(query, 10, new ItemFilter { ExcludedItemIds = excluded });

        Assert.Equal(10, results.Count);
        Assert.DoesNotContain(results, r => excluded.Contains(r.ItemId));
    }

    [Fact]
    public async Task SearchAsync_MoreExclusionsThanTheFilterHolds_AsksForMoreNeighboursAndDropsThem()
    {
        var index = await PublishAsync();
        var query = SearchTestBackend.RandomQuery(Dimensions, seed: 5);
        var best = await index.SearchAsync(query, 3, ItemFilter.None);
        var excluded = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < AzureAISearchItemIndex.MaxExclusionsInFilter; i++)
        {
            excluded.Add($"absent-{i}");
        }

        excluded.UnionWith(best.Select(r => r.ItemId));

        var results = await index.SearchAsync(query, 10, new ItemFilter { ExcludedItemIds = excluded });

        Assert.Equal(10, results.Count);
        Assert.DoesNotContain(results, r => excluded.Contains(r.ItemId));
        var body = _service.RequestsTo("/docs/search.post.search").Last().Json;
        Assert.Equal(13, body["vectorQueries"]![0]!["k"]!.GetValue<int>());
        Assert.Equal(13, body["top"]!.GetValue<int>());
    }

    [Fact]
    public async Task SearchAsync_UnnormalisedQuery_ReturnsDotProductScores()
    {
        var index = await PublishAsync();
        var query = SearchTestBackend.RandomQuery(Dimensions, seed: 9).Select(v => v * 3).ToArray();

        var results = await index.SearchAsync(query, 5, new ItemFilter { AvailableOnly = false });

        foreach (var result in results)
        {
            var item = _items.Single(i => i.ItemId == result.ItemId);
            Assert.Equal(TensorPrimitives.Dot(item.Vector.Span, query), result.Score, 4);
        }

        Assert.Equal(results.OrderByDescending(r => r.Score).Select(r => r.ItemId), results.Select(r => r.ItemId));
    }

    [Fact]
    public async Task SearchAsync_QueryOfOtherDimension_ThrowsWithoutCallingTheService()
    {
        var index = await PublishAsync();

        var error = await Assert.ThrowsAsync<ArgumentException>(async () => await index.SearchAsync(new float[Dimensions + 1], 5, ItemFilter.None));

        Assert.Contains($"expected {Dimensions}", error.Message, StringComparison.Ordinal);
        Assert.Empty(_service.RequestsTo("/docs/search.post.search"));
    }

    private async Task<IItemIndex> PublishAsync(Action<SearchOptions>? configure = null)
    {
        var publisher = SearchTestBackend.Publisher(_service, configure);
        await publisher.CreateVersionAsync("1", Dimensions);
        await publisher.UploadAsync("1", _items);
        return await publisher.OpenAsync("1");
    }
}
