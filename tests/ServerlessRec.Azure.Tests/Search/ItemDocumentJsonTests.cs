using ServerlessRec.Azure.Search;

namespace ServerlessRec.Azure.Tests.Search;

public sealed class ItemDocumentJsonTests
{
    [Theory]
    [InlineData("plain", "books")]
    [InlineData("O'Reilly \"quoted\" \\ back", "a,b c")]
    [InlineData("日本語/é", "カテゴリ 🎵")]
    [InlineData("ctrl\u0001\t\n", "<script>&")]
    public void MaxBytes_AnyDocument_IsAtLeastTheSerializedSize(string itemId, string category)
    {
        float[] extremes = [float.MinValue, float.MaxValue, float.Epsilon, -1.17549435E-38f, -0.123456789f, 1f / 3, 0f, -7.006492E-45f];
        var document = new ItemDocument
        {
            Id = ItemDocumentKey.Encode(itemId),
            ItemId = itemId,
            Embedding = [.. Enumerable.Repeat(extremes, 64).SelectMany(v => v)],
            Categories = [category, category + "2"],
            Available = false,
            Popularity = long.MinValue,
        };

        Assert.True(ItemDocumentJson.MaxBytes(document) >= ItemDocumentJson.MeasureBytes(document));
    }
}
