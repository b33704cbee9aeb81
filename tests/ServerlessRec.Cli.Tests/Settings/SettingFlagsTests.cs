using System.CommandLine;
using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Reflection;
using Microsoft.Extensions.Configuration;
using ServerlessRec.Cli.Settings;
using ServerlessRec.Training;

namespace ServerlessRec.Cli.Tests.Settings;

/// <summary>The training flags take their ranges and defaults from TwoTowerOptions and the configuration, never their own.</summary>
public sealed class SettingFlagsTests
{
    /// <summary>Every training flag whose property has a [Range], with a value just outside it and the two bounds.</summary>
    public static TheoryData<string, string, string, string> RangedFlags()
    {
        var data = new TheoryData<string, string, string, string>();
        foreach (var (flag, property) in TrainingFlags.Create(Context()).Settings)
        {
            if (property.GetCustomAttribute<RangeAttribute>() is not { } range)
            {
                continue;
            }

            var min = Convert.ToDouble(range.Minimum, CultureInfo.InvariantCulture);
            var max = Convert.ToDouble(range.Maximum, CultureInfo.InvariantCulture);
            var outside = max >= int.MaxValue ? min - 1 : property.PropertyType == typeof(int) ? max + 1 : max * 1.5;
            // A float setting holds the nearest float to the bound, which may lie just below a double bound such as 1e-6.
            var lowest = property.PropertyType == typeof(float) && (double)(float)min < min ? min * (1 + 1e-6) : min;
            data.Add(flag, Text(outside), Text(lowest), Text(max));
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(RangedFlags))]
    public void Parse_TrainingFlagOutsideTheOptionsClassRange_IsRefusedWithThatRange(string flag, string outside, string min, string max)
    {
        var (command, _) = CreateCommand(Context());

        var refused = command.Parse([flag, outside]);
        var atMin = command.Parse([flag, min]);
        var atMax = command.Parse([flag, max]);

        var error = Assert.Single(refused.Errors).Message;
        Assert.StartsWith($"{flag} must be between ", error, StringComparison.Ordinal);
        var (low, high) = Bounds(error);
        Assert.Equal(Bound(max), high);
        Assert.InRange(Bound(min), low, low * (1 + 1e-5));
        Assert.Empty(atMin.Errors);
        Assert.Empty(atMax.Errors);
    }

    [Fact]
    public async Task Run_RetrainWithDimensionsOutsideTheRange_ExitsWithTheRangeOfTwoTowerOptions()
    {
        var range = typeof(TwoTowerOptions).GetProperty(nameof(TwoTowerOptions.Dimensions))!.GetCustomAttribute<RangeAttribute>()!;
        using var output = new StringWriter();
        using var error = new StringWriter();

        var code = await CliApplication.RunAsync(["retrain", "--dim", Text(Convert.ToDouble(range.Maximum, CultureInfo.InvariantCulture) + 1)], output, error, CliConfiguration.Empty);

        Assert.Equal(2, code);
        Assert.StartsWith($"serverlessrec retrain: --dim must be between {range.Minimum} and {range.Maximum}, got ", error.ToString(), StringComparison.Ordinal);
        Assert.Contains("(Training:Dimensions)", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Bind_SettingInConfiguration_IsTheDefaultAndTheFlagWins()
    {
        var context = Context(("Training:Epochs", "7"), ("Training:FeatureBuckets", "256"), ("Training:Loss", "SampledSigmoid"));
        var (command, flags) = CreateCommand(context);

        var configured = flags.Bind(command.Parse([]));
        var flagged = flags.Bind(command.Parse(["--epochs", "9", "--feature-buckets", "64", "--loss", "softmax"]));

        Assert.Equal((7, 256, TwoTowerLoss.SampledSigmoid), (configured.Epochs, configured.FeatureBuckets, configured.Loss));
        Assert.Equal((9, 64, TwoTowerLoss.InBatchSoftmax), (flagged.Epochs, flagged.FeatureBuckets, flagged.Loss));
        Assert.Equal(new TwoTowerOptions().HiddenDimensions, configured.HiddenDimensions);
    }

    [Fact]
    public async Task Help_SettingInConfiguration_ShowsItAsTheDefault()
    {
        using var output = new StringWriter();
        using var error = new StringWriter();

        var code = await CliApplication.RunAsync(["retrain", "--help"], output, error, Configuration(("Training:Epochs", "7")));

        Assert.Equal(0, code);
        var line = Assert.Single(output.ToString().Split('\n'), l => l.TrimStart().StartsWith("--epochs", StringComparison.Ordinal));
        Assert.Contains("(Training:Epochs; 1–10000) [default: 7]", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RetrainHelp_Margin_SaysTheGateComparesOnTest()
    {
        using var output = new StringWriter();
        using var error = new StringWriter();

        var code = await CliApplication.RunAsync(["retrain", "--help"], output, error, Configuration());

        Assert.Equal(0, code);
        var line = Assert.Single(output.ToString().Split('\n'), l => l.TrimStart().StartsWith("--margin", StringComparison.Ordinal));
        Assert.Contains("TEST", line, StringComparison.Ordinal);
        Assert.DoesNotContain("VALIDATION", line, StringComparison.Ordinal);
    }

    [Fact]
    public void Bind_ConfiguredValueOutsideTheRange_IsRefusedNamingTheSetting()
    {
        var (command, flags) = CreateCommand(Context(("Training:Dimensions", "2")));

        var error = Assert.Throws<CliUsageException>(() => flags.Bind(command.Parse([])));

        Assert.Equal("Training:Dimensions must be between 4 and 1024, got 2.", error.Message);
    }

    [Fact]
    public void Bind_NoLogQ_TurnsTheConfiguredCorrectionOff()
    {
        var (command, flags) = CreateCommand(Context());

        Assert.True(flags.Bind(command.Parse([])).LogQCorrection);
        Assert.False(flags.Bind(command.Parse(["--no-logq"])).LogQCorrection);
    }

    private static (Command Command, SettingFlags<TwoTowerOptions> Flags) CreateCommand(CliContext context)
    {
        var flags = TrainingFlags.Create(context);
        var command = new Command("test");
        flags.AddTo(command);
        return (command, flags);
    }

    private static CliContext Context(params (string Key, string Value)[] settings) => new(Configuration(settings), TimeProvider.System);

    private static IConfiguration Configuration(params (string Key, string Value)[] settings) =>
        new ConfigurationBuilder().AddInMemoryCollection(settings.Select(s => new KeyValuePair<string, string?>(s.Key, s.Value))).Build();

    private static string Text(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    private static double Bound(string text) => double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture);

    private static (double Min, double Max) Bounds(string message)
    {
        var words = message.Split(' ');
        var between = Array.IndexOf(words, "between");
        return (Bound(words[between + 1]), Bound(words[between + 3].TrimEnd(',')));
    }
}
