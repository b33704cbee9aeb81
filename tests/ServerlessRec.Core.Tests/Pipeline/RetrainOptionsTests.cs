using System.ComponentModel.DataAnnotations;
using ServerlessRec.Pipeline;

namespace ServerlessRec.Core.Tests.Pipeline;

public sealed class RetrainOptionsTests
{
    [Fact]
    public void Defaults_AreDocumentedValuesAndValid()
    {
        var options = new RetrainOptions();

        Assert.Equal(3, options.KeepVersions);
        Assert.Equal(180, options.WindowDays);
        Assert.Equal(TimeSpan.FromHours(1), options.FutureTimestampSkew);
        Assert.Equal(TimeSpan.FromMinutes(10), options.PreviousVersionGracePeriod);
        Assert.False(options.RequireLiveComparison);
        Assert.Equal(1, options.OnlineMetricsDays);
        Assert.Equal(30, options.ImpressionRetentionDays);
        Assert.False(options.AutoPromoteChallenger);
        Assert.Empty(Validate(options));
    }

    [Theory]
    [InlineData(nameof(RetrainOptions.WindowDays), -1)]
    [InlineData(nameof(RetrainOptions.KeepVersions), 0)]
    [InlineData(nameof(RetrainOptions.BlobsPerShard), 0)]
    [InlineData(nameof(RetrainOptions.OnlineMetricsDays), 32)]
    [InlineData(nameof(RetrainOptions.ImpressionRetentionDays), 0)]
    public void Validate_NumberOutOfRange_NamesTheSetting(string property, int value)
    {
        var options = new RetrainOptions();
        typeof(RetrainOptions).GetProperty(property)!.SetValue(options, value);

        Assert.Contains(Validate(options), e => e.MemberNames.Contains(property));
    }

    [Theory]
    [InlineData(nameof(RetrainOptions.FutureTimestampSkew))]
    [InlineData(nameof(RetrainOptions.PreviousVersionGracePeriod))]
    public void Validate_NegativeDuration_NamesTheSetting(string property)
    {
        var options = new RetrainOptions();
        typeof(RetrainOptions).GetProperty(property)!.SetValue(options, TimeSpan.FromMinutes(-1));

        Assert.Contains(Validate(options), e => e.MemberNames.Contains(property));
    }

    [Fact]
    public void From_Options_CarriesEverySettingAndTheRunStartIntoTheInput()
    {
        var start = new DateTimeOffset(2026, 3, 1, 0, 0, 0, TimeSpan.Zero);
        var options = new RetrainOptions { WindowDays = 7, FutureTimestampSkew = TimeSpan.FromMinutes(5), RequireLiveComparison = true, PreviousVersionGracePeriod = TimeSpan.FromMinutes(2), OnlineMetricsDays = 3, ImpressionRetentionDays = 9, AutoPromoteChallenger = true };

        var input = RetrainInput.From("test", options, start);

        Assert.Equal(start, input.RunStart);
        Assert.Equal(7, input.Settings.WindowDays);
        Assert.Equal(300, input.Settings.FutureSkewSeconds);
        Assert.True(input.Settings.RequireLiveComparison);
        Assert.Equal(120, input.Settings.GraceSeconds);
        Assert.Equal((3, 9), (input.Settings.OnlineMetricsDays, input.Settings.ImpressionRetentionDays));
        Assert.True(input.Settings.AutoPromoteChallenger);
    }

    private static List<ValidationResult> Validate(RetrainOptions options)
    {
        var results = new List<ValidationResult>();
        Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true);
        return results;
    }
}
