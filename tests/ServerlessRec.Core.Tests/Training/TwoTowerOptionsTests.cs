using System.ComponentModel.DataAnnotations;
using ServerlessRec.Training;

namespace ServerlessRec.Core.Tests.Training;

public sealed class TwoTowerOptionsTests
{
    [Fact]
    public void Defaults_AreTheDocumentedOnes()
    {
        var options = new TwoTowerOptions();

        Assert.Equal(64, options.Dimensions);
        Assert.Equal(100, options.HistoryLength);
        Assert.Equal(30.0, options.DecayHalfLifeDays);
        Assert.Equal(30.0, options.SessionGapMinutes);
        Assert.Equal(0.7, options.SessionPositionDecay);
        Assert.Equal(0.1f, options.Temperature);
        Assert.Equal(TwoTowerLoss.InBatchSoftmax, options.Loss);
        Assert.True(options.LogQCorrection);
        Assert.True(IsValid(options));
    }

    [Theory]
    [InlineData(nameof(TwoTowerOptions.Dimensions), 0)]
    [InlineData(nameof(TwoTowerOptions.HistoryLength), 0)]
    [InlineData(nameof(TwoTowerOptions.SessionPositionDecay), 0.0)]
    [InlineData(nameof(TwoTowerOptions.SessionPositionDecay), 1.5)]
    [InlineData(nameof(TwoTowerOptions.Temperature), 0f)]
    [InlineData(nameof(TwoTowerOptions.IdDropout), 1.5f)]
    [InlineData(nameof(TwoTowerOptions.BatchSize), 1)]
    [InlineData(nameof(TwoTowerOptions.LearningRate), 0f)]
    public void Validate_OutOfRangeValue_IsRejected(string property, object value)
    {
        var options = new TwoTowerOptions();
        typeof(TwoTowerOptions).GetProperty(property)!.SetValue(options, value);

        Assert.False(IsValid(options));
    }

    private static bool IsValid(TwoTowerOptions options) =>
        Validator.TryValidateObject(options, new ValidationContext(options), [], validateAllProperties: true);
}
