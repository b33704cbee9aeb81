using ServerlessRec.Events;

namespace ServerlessRec.Core.Tests.Events;

public sealed class EventFileFormatTests
{
    [Theory]
    [InlineData("events/2026/11/28/10/web-1.jsonl", EventFileKind.JsonLines, '\0')]
    [InlineData("web-1.JSONL.GZ", EventFileKind.JsonLines, '\0')]
    [InlineData("dump.ndjson", EventFileKind.JsonLines, '\0')]
    [InlineData("ratings.csv", EventFileKind.Delimited, ',')]
    [InlineData("ratings.csv.gz", EventFileKind.Delimited, ',')]
    [InlineData("clicks.tsv", EventFileKind.Delimited, '\t')]
    public void FromFileName_KnownExtension_PicksFormat(string name, EventFileKind kind, char separator)
    {
        var format = EventFileFormat.FromFileName(name);

        Assert.Equal((kind, separator), (format.Kind, format.Separator));
    }

    [Theory]
    [InlineData("events.json")]
    [InlineData("events.gz")]
    [InlineData("events")]
    public void FromFileName_UnknownExtension_Throws(string name) =>
        Assert.Throws<ArgumentException>(() => EventFileFormat.FromFileName(name));

    [Fact]
    public void FromFileName_CsvWithMapping_UsesTheMapping() =>
        Assert.Same(DelimitedColumnMapping.MovieLensRatings, EventFileFormat.FromFileName("r.csv", DelimitedColumnMapping.MovieLensRatings).Columns);

    [Theory]
    [InlineData('"')]
    [InlineData('\n')]
    [InlineData('é')]
    public void Delimited_UnusableSeparator_Throws(char separator) =>
        Assert.Throws<ArgumentException>(() => EventFileFormat.Delimited(separator, DelimitedColumnMapping.Contract));

    [Fact]
    public void Delimited_BothTypeColumnAndFixedType_Throws() =>
        Assert.Throws<ArgumentException>(() => EventFileFormat.Csv(DelimitedColumnMapping.Contract with { FixedType = "view" }));
}
