using System.Text;
using ServerlessRec.Events;

namespace ServerlessRec.Core.Tests.Events;

public sealed class CatalogReaderTests
{
    [Fact]
    public void Read_ItemsJsonLines_ReadsAllFieldsAndDefaults()
    {
        var (summary, sink) = Read(CatalogFileFormat.JsonLines,
            """{"itemId":"m1","title":"Toy Story","categories":["Animation","Comedy"],"tags":["pixar"],"available":false,"extra":1}""",
            """{"itemId":"m2"}""");

        Assert.Equal(2, summary.Accepted);
        var first = sink.Items[0];
        Assert.Equal(("m1", "Toy Story", false), (first.ItemId, first.Title, first.Available));
        Assert.Equal(["Animation", "Comedy"], first.Categories);
        Assert.Equal(["pixar"], first.Tags);
        Assert.Equal(new CatalogItem("m2", null, [], [], true).ItemId, sink.Items[1].ItemId);
        Assert.True(sink.Items[1].Available);
        Assert.Empty(sink.Items[1].Categories);
    }

    [Theory]
    [InlineData("""{"title":"x"}""", "missing-field")]
    [InlineData("""{"itemId":"m1","categories":"Drama"}""", "bad-field")]
    [InlineData("""{"itemId":"m1","categories":[1]}""", "bad-field")]
    [InlineData("""{"itemId":"m1","available":"yes"}""", "bad-field")]
    [InlineData("""{"itemId":"m1","tags":["a\u0000"]}""", "control-character")]
    [InlineData("""{"itemId":"m1",""", "invalid-json")]
    public void Read_BadItemLine_QuarantinesItWithReason(string bad, string reason)
    {
        var (_, sink) = Read(CatalogFileFormat.JsonLines, """{"itemId":"a"}""", bad, """{"itemId":"b"}""");

        Assert.Equal(["a", "b"], sink.Items.Select(i => i.ItemId));
        Assert.Equal((2L, reason), (Assert.Single(sink.Rejected).LineNumber, sink.Rejected[0].Reason));
    }

    [Fact]
    public void Read_MovieLensMovies_SplitsGenresAndHandlesQuotedTitles()
    {
        var (summary, sink) = Read(CatalogFileFormat.MovieLensMovies,
            "movieId,title,genres",
            "1,Toy Story (1995),Adventure|Animation|Children|Comedy|Fantasy",
            "11,\"American President, The (1995)\",Comedy|Drama|Romance",
            "182727,A Christmas Story Live! (2017),(no genres listed)",
            ",No Id (2000),Drama");

        Assert.Equal(3, summary.Accepted);
        Assert.Equal(["Adventure", "Animation", "Children", "Comedy", "Fantasy"], sink.Items[0].Categories);
        Assert.Equal("American President, The (1995)", sink.Items[1].Title);
        Assert.Empty(sink.Items[2].Categories);
        Assert.Equal((5L, "missing-field"), (Assert.Single(sink.Rejected).LineNumber, sink.Rejected[0].Reason));
    }

    [Fact]
    public void Read_MoviesHeaderWithoutGenres_ThrowsNamingColumnAndFile()
    {
        var ex = Assert.Throws<InvalidDataException>(() => Read(CatalogFileFormat.MovieLensMovies, "movieId,title", "1,Toy Story (1995)"));

        Assert.Contains("\"genres\"", ex.Message, StringComparison.Ordinal);
        Assert.Contains("catalog-file", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("catalog/items.jsonl", CatalogFileFormat.JsonLines)]
    [InlineData("movies.csv", CatalogFileFormat.MovieLensMovies)]
    [InlineData("items.jsonl.gz", CatalogFileFormat.JsonLines)]
    public void FormatFromFileName_KnownExtension_PicksFormat(string name, CatalogFileFormat expected) =>
        Assert.Equal(expected, CatalogReader.FormatFromFileName(name));

    private static (EventFileSummary Summary, CollectingSink Sink) Read(CatalogFileFormat format, params string[] lines)
    {
        var sink = new CollectingSink();
        using var stream = new MemoryStream(Encoding.UTF8.GetBytes(string.Join("\n", lines)));
        var summary = new CatalogReader().Read(stream, "catalog-file", format, sink);
        Assert.Equal(summary.Lines, summary.Accepted + summary.Rejected);
        return (summary, sink);
    }
}
