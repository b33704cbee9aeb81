using System.Text.Json.Nodes;
using ServerlessRec.Azure.Search;

namespace ServerlessRec.Azure.Tests.Search;

public sealed class ODataFilterBuilderTests
{
    [Theory]
    [InlineData("plain", "'plain'")]
    [InlineData("O'Reilly", "'O''Reilly'")]
    [InlineData("''", "''''''")]
    [InlineData("a, b (c)", "'a, b (c)'")]
    [InlineData("日本 語", "'日本 語'")]
    public void Literal_AnyText_QuotesItAndDoublesSingleQuotes(string value, string expected) =>
        Assert.Equal(expected, ODataFilterBuilder.Literal(value));

    [Fact]
    public void Build_NoClauses_ReturnsNull() => Assert.Null(new ODataFilterBuilder().Build());

    [Fact]
    public void Build_SeveralClauses_JoinsThemWithAnd()
    {
        var filter = new ODataFilterBuilder().IsTrue("available").AnyEquals("categories", ["a", "b"]).Build();

        Assert.Equal("available eq true and categories/any(c: c eq 'a' or c eq 'b')", filter);
    }

    [Theory]
    [InlineData("x' or true or 'y")]
    [InlineData("') or categories/any(c: true) or ('")]
    [InlineData("a,b")]
    [InlineData("it''s")]
    [InlineData("\u00e9\u0301 \U0001F3B5")]
    public void AnyEquals_HostileValue_MatchesOnlyThatExactValue(string hostile)
    {
        var filter = ODataFilterEvaluator.Compile(new ODataFilterBuilder().AnyEquals("categories", [hostile]).Build());

        Assert.True(filter(Document(hostile)));
        Assert.False(filter(Document("other")));
        Assert.False(filter(Document()));
    }

    [Fact]
    public void NotIn_PlainValues_UsesSearchInWithComma()
    {
        var filter = new ODataFilterBuilder().NotIn("id", ["aGk", "Zm9v"]).Build();

        Assert.Equal("not search.in(id, 'aGk,Zm9v', ',')", filter);
    }

    [Fact]
    public void NotIn_ValueWithComma_UsesAnotherDelimiter()
    {
        var filter = new ODataFilterBuilder().NotIn("id", ["a,b", "c"]).Build();

        Assert.Equal("not search.in(id, 'a,b|c', '|')", filter);
    }

    [Theory]
    [InlineData("has space")]
    [InlineData("")]
    [InlineData(",|;~^!#")]
    public void NotIn_NoSafeDelimiter_FallsBackToEqualities(string awkward)
    {
        var text = new ODataFilterBuilder().NotIn("id", [awkward, "it's"]).Build();

        Assert.Equal($"not (id eq {ODataFilterBuilder.Literal(awkward)} or id eq 'it''s')", text);
        var filter = ODataFilterEvaluator.Compile(text);
        Assert.False(filter(new JsonObject { ["id"] = awkward }));
        Assert.False(filter(new JsonObject { ["id"] = "it's" }));
        Assert.True(filter(new JsonObject { ["id"] = "other" }));
    }

    [Fact]
    public void NotIn_NoValues_AddsNothing() => Assert.Null(new ODataFilterBuilder().NotIn("id", []).Build());

    [Fact]
    public void AnyEquals_NoValues_Throws() =>
        Assert.Throws<ArgumentException>(() => new ODataFilterBuilder().AnyEquals("categories", []));

    private static JsonObject Document(params string[] categories) =>
        new() { ["categories"] = new JsonArray([.. categories.Select(c => JsonValue.Create(c))]) };
}
