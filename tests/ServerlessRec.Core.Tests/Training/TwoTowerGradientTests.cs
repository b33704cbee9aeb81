using ServerlessRec.Training;

namespace ServerlessRec.Core.Tests.Training;

public sealed class TwoTowerGradientTests
{
    [Theory]
    [InlineData(TwoTowerLoss.InBatchSoftmax, true, 0, 0f)]
    [InlineData(TwoTowerLoss.InBatchSoftmax, true, 3, 0f)]
    [InlineData(TwoTowerLoss.InBatchSoftmax, false, 0, 0f)]
    [InlineData(TwoTowerLoss.SampledSigmoid, false, 4, 0f)]
    [InlineData(TwoTowerLoss.InBatchSoftmax, true, 3, 2f)]
    [InlineData(TwoTowerLoss.SampledSigmoid, false, 4, 2f)]
    public void Gradients_MatchFiniteDifferences(TwoTowerLoss loss, bool logQ, int sampledNegatives, float hardNegativeWeight)
    {
        var data = TestDatasets.Clustered(users: 6, items: 10, eventsPerUser: 6, seed: 3);
        var options = new TwoTowerOptions
        {
            Dimensions = 4,
            HiddenDimensions = 5,
            HistoryLength = 4,
            SessionMaxEvents = 2,
            SessionGapMinutes = 15,
            DecayHalfLifeDays = 0.01,
            Temperature = 0.5f,
            Loss = loss,
            LogQCorrection = logQ,
            SampledNegatives = sampledNegatives,
            HardNegativeWeight = hardNegativeWeight,
            IdDropout = 0f,
            BatchSize = 6,
            Threads = 2,
            Seed = 7,
        };
        var model = new TwoTowerModel(data.ItemCount, data.FeatureBuckets, options.Dimensions, options.HiddenDimensions, options.Seed);
        using var state = TwoTowerTrainer.CreateState(model, data, TestDatasets.AllEvents(data), options, out var examples);
        var batch = examples.Take(options.BatchSize).ToArray();
        state.PrepareCandidates(batch);
        state.ComputeLossAndGradients(batch);

        float[][] parameters = [model.HistoryEmbeddings, model.ItemEmbeddings, model.FeatureEmbeddings, model.W1, model.B1, model.W2, model.B2];
        var analytic = parameters.Select(p => (float[])state.GradientOf(p).Clone()).ToArray();
        var checkedCount = 0;
        var nonZero = 0;
        for (var p = 0; p < parameters.Length; p++)
        {
            var values = parameters[p];
            for (var i = 0; i < values.Length; i++)
            {
                var original = values[i];
                const float epsilon = 2e-3f;
                values[i] = original + epsilon;
                var plus = state.ComputeLossAndGradients(batch);
                values[i] = original - epsilon;
                var minus = state.ComputeLossAndGradients(batch);
                values[i] = original;
                var numeric = (plus - minus) / (2 * epsilon);
                var expected = analytic[p][i];
                Assert.True(
                    Math.Abs(numeric - expected) <= 2e-3 + (0.03 * Math.Abs(numeric)),
                    $"parameter array {p}, index {i}: analytic {expected}, numeric {numeric}");
                checkedCount++;
                if (Math.Abs(expected) > 1e-4)
                {
                    nonZero++;
                }
            }
        }

        // The check means something only if most parameters actually receive gradient.
        Assert.True(nonZero > checkedCount / 4, $"only {nonZero} of {checkedCount} gradients are non-zero");
    }

    [Theory]
    [InlineData(TwoTowerLoss.InBatchSoftmax)]
    [InlineData(TwoTowerLoss.SampledSigmoid)]
    public void ComputeLossAndGradients_HardNegativeWeight_AddsTheUsersRejectedItemsToTheLoss(TwoTowerLoss loss)
    {
        // u1 skipped "x", u2 skipped nothing: only u1's examples get a hard negative, and the loss grows with its weight.
        var data = TestDatasets.Build([
            ("u1", "a", "view", 1), ("u1", "x", "skip", 2), ("u1", "b", "view", 3), ("u1", "c", "view", 4),
            ("u2", "a", "view", 1), ("u2", "c", "view", 2), ("u2", "b", "view", 3)]);
        double LossWith(float weight)
        {
            var options = new TwoTowerOptions { Dimensions = 4, HiddenDimensions = 4, HistoryLength = 4, Loss = loss, SampledNegatives = 2, HardNegativeWeight = weight, IdDropout = 0f, BatchSize = 8, Threads = 1, Seed = 3 };
            var model = new TwoTowerModel(data.ItemCount, data.FeatureBuckets, options.Dimensions, options.HiddenDimensions, options.Seed);
            using var state = TwoTowerTrainer.CreateState(model, data, TestDatasets.AllEvents(data), options, out var examples);
            state.PrepareCandidates(examples);
            return state.ComputeLossAndGradients(examples);
        }

        var none = LossWith(0f);
        var one = LossWith(1f);
        var four = LossWith(4f);

        Assert.True(one > none, $"weight 1: {one} vs none {none}");
        Assert.True(four > one, $"weight 4: {four} vs weight 1 {one}");
    }
}
