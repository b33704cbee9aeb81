using ServerlessRec.Azure.Search;

namespace ServerlessRec.Azure.Tests.Search;

public sealed class ItemIndexNameTests
{
    [Theory]
    [InlineData("20250101")]
    [InlineData("2025-01-01t1200z")]
    [InlineData("a")]
    public void For_ValidVersion_AppendsItToPrefixAndReadsBack(string version)
    {
        var name = ItemIndexName.For("items-v", version);

        Assert.Equal("items-v" + version, name);
        Assert.True(ItemIndexName.TryGetVersion("items-v", name, out var back));
        Assert.Equal(version, back);
    }

    [Fact]
    public void For_NameOver128Characters_ThrowsWithLength()
    {
        var error = Assert.Throws<ArgumentException>(() => ItemIndexName.For("items-v", new string('1', 122)));

        Assert.Contains("129 characters", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("catalog-1")]
    [InlineData("items-vBAD")]
    [InlineData("items-v")]
    public void TryGetVersion_ForeignOrInvalidName_ReturnsFalse(string indexName) =>
        Assert.False(ItemIndexName.TryGetVersion("items-v", indexName, out _));
}
