using Microsoft.Extensions.Configuration;
using ServerlessRec.Cli.Settings;

namespace ServerlessRec.Cli.Tests.Settings;

/// <summary>The EventTypes section (configuration, then --event-types FILE) decides how the CLI classifies events.</summary>
public sealed class EventTypesOptionTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("serverlessrec-event-types-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void Read_NegativeBelowInConfiguration_LowRatingIsNegative()
    {
        var defaults = EventTypesOption.Read(Configuration(), file: null);
        var configured = EventTypesOption.Read(Configuration(("EventTypes:Types:rating:NegativeBelow", "2.5")), file: null);

        Assert.True(defaults.TryClassify("rating", 1.0, out _, out var negativeByDefault));
        Assert.True(configured.TryClassify("rating", 1.0, out var weight, out var negative));
        Assert.True(configured.TryClassify("rating", 4.0, out var highWeight, out var highNegative));

        Assert.False(negativeByDefault);
        Assert.True(negative);
        Assert.Equal(0f, weight);
        Assert.False(highNegative);
        Assert.Equal(4f, highWeight);
        Assert.True(configured.IsKnown("view"));
    }

    [Fact]
    public void Read_EventTypesFile_WinsOverConfigurationKeyByKey()
    {
        var file = Write("""{"EventTypes": {"Types": {"rating": {"NegativeBelow": 4}, "bookmark": {"Weight": 3}}}}""");

        var types = EventTypesOption.Read(Configuration(("EventTypes:Types:rating:NegativeBelow", "2.5"), ("EventTypes:Types:view:Weight", "0.5")), file);

        Assert.True(types.TryClassify("rating", 3.0, out _, out var negative));
        Assert.True(negative);
        Assert.True(types.TryClassify("bookmark", null, out var bookmark, out _));
        Assert.Equal(3f, bookmark);
        Assert.True(types.TryClassify("view", null, out var view, out _));
        Assert.Equal(0.5f, view);
    }

    [Theory]
    [InlineData("""{"EventTypes": {"Types": {"view": {"Weight": 5000}}}}""", "EventTypes:Types:view:Weight")]
    [InlineData("""{"EventTypes": {"Types": {"rating": {"NegativeBelow": "low"}}}}""", "cannot be read")]
    [InlineData("""{"Types": {"rating": {"NegativeBelow": 2}}}""", "has no \"EventTypes\" section")]
    [InlineData("""{"EventTypes": """, "is not a JSON settings file")]
    public void Read_BadEventTypesFile_IsAUsageErrorNamingTheProblem(string json, string expected)
    {
        var file = Write(json);

        var error = Assert.Throws<CliUsageException>(() => EventTypesOption.Read(Configuration(), file));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public async Task Import_TypeAddedByEventTypesFile_IsAcceptedInsteadOfQuarantined()
    {
        var events = Write("""{"userId":"u1","itemId":"i1","type":"bookmark","timestamp":"2026-11-28T10:15:00Z"}""" + "\n", "drop.jsonl");
        var types = Write("""{"EventTypes": {"Types": {"bookmark": {"Weight": 3}}}}""");

        var without = await RunAsync(Configuration(), "import", "--file", events, "--out", Path.Combine(_folder, "a", "events"));
        var withFile = await RunAsync(Configuration(), "import", "--file", events, "--out", Path.Combine(_folder, "b", "events"), "--event-types", types);
        var withConfiguration = await RunAsync(Configuration(("EventTypes:Types:bookmark:Weight", "3")), "import", "--file", events, "--out", Path.Combine(_folder, "c", "events"));

        Assert.Contains("1 lines, 0 accepted, 1 rejected", without.Output, StringComparison.Ordinal);
        Assert.Contains("unknown-type 1", without.Output, StringComparison.Ordinal);
        Assert.Equal(0, withFile.Code);
        Assert.Contains("1 lines, 1 accepted, 0 rejected", withFile.Output, StringComparison.Ordinal);
        Assert.Equal(0, withConfiguration.Code);
        Assert.Contains("1 lines, 1 accepted, 0 rejected", withConfiguration.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Import_InvalidEventTypeInConfiguration_ExitsWithOneLineNamingTheSetting()
    {
        var events = Write("""{"userId":"u1","itemId":"i1","type":"view","timestamp":"2026-11-28T10:15:00Z"}""" + "\n", "drop.jsonl");

        var (code, _, error) = await RunAsync(Configuration(("EventTypes:Types:rating:NegativeBelow", "NaN")), "import", "--file", events, "--out", Path.Combine(_folder, "events"));

        Assert.Equal(2, code);
        Assert.StartsWith("serverlessrec import: EventTypes:Types:rating:NegativeBelow must be a finite number", error, StringComparison.Ordinal);
    }

    private string Write(string content, string name = "types.json")
    {
        var path = Path.Combine(_folder, name);
        File.WriteAllText(path, content);
        return path;
    }

    private static IConfiguration Configuration(params (string Key, string Value)[] settings) =>
        new ConfigurationBuilder().AddInMemoryCollection(settings.Select(s => new KeyValuePair<string, string?>(s.Key, s.Value))).Build();

    private static async Task<(int Code, string Output, string Error)> RunAsync(IConfiguration configuration, params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await CliApplication.RunAsync(args, output, error, configuration);
        return (code, output.ToString(), error.ToString());
    }
}
