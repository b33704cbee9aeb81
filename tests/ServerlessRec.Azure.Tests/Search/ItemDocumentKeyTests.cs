using ServerlessRec.Azure.Search;

namespace ServerlessRec.Azure.Tests.Search;

public sealed class ItemDocumentKeyTests
{
    [Theory]
    [InlineData("item-1")]
    [InlineData("a/b?c=d&e#f")]
    [InlineData("O'Reilly, \"quoted\"")]
    [InlineData("_leading underscore")]
    [InlineData("-leading dash")]
    [InlineData("日本語 🎵")]
    [InlineData("\u00ff\u00ff\u00ff")]
    public void Encode_AnyValidId_GivesAllowedKeyThatDecodesBack(string itemId)
    {
        var key = ItemDocumentKey.Encode(itemId);

        Assert.Matches("^[A-Za-z0-9][A-Za-z0-9_-]*$", key);
        Assert.Equal(itemId, ItemDocumentKey.Decode(key));
    }

    [Fact]
    public void Encode_DifferentIds_GiveDifferentKeys() =>
        Assert.NotEqual(ItemDocumentKey.Encode("a"), ItemDocumentKey.Encode("A"));

    [Fact]
    public void Encode_LongestAllowedId_FitsTheKeyLimit() =>
        Assert.Equal(ItemDocumentKey.MaxKeyLength, ItemDocumentKey.Encode(new string('x', ItemDocumentKey.MaxItemIdBytes)).Length);

    [Fact]
    public void Encode_IdTooLong_ThrowsWithByteCount()
    {
        var error = Assert.Throws<ArgumentException>(() => ItemDocumentKey.Encode(new string('é', 400)));

        Assert.Contains("800 UTF-8 bytes", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Encode_EmptyId_ThrowsAndTryEncodeFails()
    {
        Assert.Throws<ArgumentException>(() => ItemDocumentKey.Encode(string.Empty));
        Assert.False(ItemDocumentKey.TryEncode(string.Empty, out _));
    }

    [Fact]
    public void Encode_LoneSurrogate_ThrowsAndTryEncodeFails()
    {
        // Built at run time: attribute arguments cannot carry a lone surrogate.
        var itemId = "lone " + (char)0xD800 + " surrogate";

        var error = Assert.Throws<ArgumentException>(() => ItemDocumentKey.Encode(itemId));

        Assert.Contains("not valid Unicode", error.Message, StringComparison.Ordinal);
        Assert.False(ItemDocumentKey.TryEncode(itemId, out _));
    }
}
