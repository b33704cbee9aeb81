using ServerlessRec.Retrieval;

namespace ServerlessRec.Azure.Tests.Search;

/// <summary>
/// The same queries against the embedded exact index (the oracle) and against the Azure AI Search backend
/// whose fake service scores exactly: the ids must agree, in order, and the scores must be the dot products.
/// </summary>
public sealed class ItemIndexContractTests : IAsyncLifetime
{
    private const int Dimensions = 16;
    private static readonly string[] HostileCategories = ["books", "O'Reilly", "a,b", "日本 語", "x' or true or 'y", "(c) eq 'd'"];

    private FakeSearchService _service = null!;
    private EmbeddedItemIndex _embedded = null!;
    private IItemIndex _azure = null!;

    public static TheoryData<string> Cases => [.. FilterCases.Keys];

    private static Dictionary<string, Func<EmbeddedItemIndex, float[], ItemFilter>> FilterCases { get; } = new()
    {
        ["none"] = (_, _) => ItemFilter.None,
        ["unavailable too"] = (_, _) => new ItemFilter { AvailableOnly = false },
        ["empty categories"] = (_, _) => new ItemFilter { Categories = [] },
        ["quote category"] = (_, _) => new ItemFilter { Categories = ["O'Reilly"] },
        ["comma and unicode categories"] = (_, _) => new ItemFilter { Categories = ["a,b", "日本 語"] },
        ["injection-like category"] = (_, _) => new ItemFilter { Categories = ["x' or true or 'y"] },
        ["unknown category"] = (_, _) => new ItemFilter { Categories = ["no such category"] },
        ["exclude best five and hostile ids"] = (embedded, query) => new ItemFilter
        {
            ExcludedItemIds = embedded.Search(query, 5, ItemFilter.None).Select(r => r.ItemId).Concat(["it's, 3", "absent"]).ToHashSet(StringComparer.Ordinal),
        },
        ["category and exclusions"] = (embedded, query) => new ItemFilter
        {
            Categories = ["books", "(c) eq 'd'"],
            AvailableOnly = false,
            ExcludedItemIds = embedded.Search(query, 3, new ItemFilter { Categories = ["books"] }).Select(r => r.ItemId).ToHashSet(StringComparer.Ordinal),
        },
    };

    public async Task InitializeAsync()
    {
        var items = SearchTestBackend.RandomItems(300, Dimensions, seed: 21, HostileCategories)
            .Select((item, i) => i % 10 == 3 ? item with { ItemId = $"it's, {i} — ü" } : item)
            .ToList();
        _embedded = new EmbeddedItemIndex("1", Dimensions, items);
        _service = await FakeSearchService.StartAsync();
        var publisher = SearchTestBackend.Publisher(_service);
        await publisher.CreateVersionAsync("1", Dimensions);
        await publisher.UploadAsync("1", items);
        _azure = await publisher.OpenAsync("1");
    }

    public async Task DisposeAsync() => await _service.DisposeAsync();

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task SearchAsync_SameQueryAndFilter_ReturnsSameItemsAsEmbeddedIndex(string filterCase)
    {
        foreach (var (seed, k) in new[] { (1, 10), (2, 1), (3, 400) })
        {
            var query = SearchTestBackend.RandomQuery(Dimensions, seed);
            var filter = FilterCases[filterCase](_embedded, query);

            var expected = await _embedded.SearchAsync(query, k, filter);
            var actual = await _azure.SearchAsync(query, k, filter);

            Assert.Equal(expected.Select(r => r.ItemId), actual.Select(r => r.ItemId));
            Assert.All(expected.Zip(actual), pair => Assert.Equal(pair.First.Score, pair.Second.Score, 4));
        }
    }
}
