using System.Text.Json;
using ServerlessRec.Catalog;
using ServerlessRec.Http;
using ServerlessRec.Serving;

namespace ServerlessRec.Core.Tests.Catalog;

public sealed class CatalogValidationTests
{
    [Fact]
    public void Validate_1001Items_RejectedNamingItems()
    {
        var items = Enumerable.Range(0, 1001).Select(i => (PutCatalogItem?)new PutCatalogItem { ItemId = $"i{i}" }).ToList();

        var error = Assert.Throws<RequestValidationException>(() => CatalogService.Validate(items));

        Assert.Equal("items", error.Field);
        Assert.Single(CatalogService.Validate(items.Take(1000).ToList().GetRange(0, 1)));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public void Validate_MissingItemId_RejectedNamingThatItemsItemId(string? itemId)
    {
        var error = Assert.Throws<RequestValidationException>(() => CatalogService.Validate([new PutCatalogItem { ItemId = "ok" }, new PutCatalogItem { ItemId = itemId }]));

        Assert.Equal("items[1].itemId", error.Field);
    }

    [Fact]
    public void Validate_BadEntries_RejectedNamingTheField()
    {
        Assert.Equal("items[0].categories[1]", Assert.Throws<RequestValidationException>(() => CatalogService.Validate([new PutCatalogItem { ItemId = "a", Categories = ["ok", " "] }])).Field);
        Assert.Equal("items[0].tags[0]", Assert.Throws<RequestValidationException>(() => CatalogService.Validate([new PutCatalogItem { ItemId = "a", Tags = [new string('x', 129)] }])).Field);
        Assert.Equal("items[1].itemId", Assert.Throws<RequestValidationException>(() => CatalogService.Validate([new PutCatalogItem { ItemId = "a" }, new PutCatalogItem { ItemId = "a" }])).Field);
        Assert.Equal("items[0].attributes", Assert.Throws<RequestValidationException>(() => CatalogService.Validate([new PutCatalogItem { ItemId = "a", Attributes = JsonDocument.Parse("[1]").RootElement }])).Field);
        Assert.Equal("items[0]", Assert.Throws<RequestValidationException>(() => CatalogService.Validate([null])).Field);
        Assert.Equal("items", Assert.Throws<RequestValidationException>(() => CatalogService.Validate([])).Field);
    }

    [Fact]
    public void Validate_FullItem_KeepsEveryField()
    {
        var item = Assert.Single(CatalogService.Validate([new PutCatalogItem { ItemId = "a", Title = "A", Categories = [" x ", "y"], Tags = ["t"], Available = false, Attributes = JsonDocument.Parse("{\"price\":3}").RootElement }]));

        Assert.Equal(["x", "y"], item.Categories);
        Assert.False(item.Available);
        Assert.Equal(3, item.Attributes!.Value.GetProperty("price").GetInt32());
    }
}
