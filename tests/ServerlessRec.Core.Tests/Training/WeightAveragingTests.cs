using ServerlessRec.Training;

namespace ServerlessRec.Core.Tests.Training;

/// <summary>
/// <see cref="TwoTowerOptions.WeightAveraging"/>: the average of the weights over epochs is what early stopping scores,
/// what training returns, and what a checkpoint carries so a resumed run continues it.
/// </summary>
public sealed class WeightAveragingTests
{
    private static TwoTowerOptions Options(int epochs, float decay) =>
        new() { Dimensions = 8, HiddenDimensions = 8, HistoryLength = 10, BatchSize = 16, Epochs = epochs, Threads = 1, SampledNegatives = 8, WeightAveraging = decay };

    [Fact]
    public void Train_WithoutValidation_ReturnsTheDecayedAverageOfEveryEpochsWeights()
    {
        var data = TestDatasets.Clustered(users: 30, items: 20, eventsPerUser: 10, seed: 5);
        var weights = new List<TwoTowerModel>();

        var result = new TwoTowerTrainer(Options(3, 0.6f)).Train(data, TestDatasets.AllEvents(data), null, null, null, c => weights.Add(c.Model.Clone()));

        // The decay ramps in: a1 = w1; a2 = 1/3·a1 + 2/3·w2 (min(0.6, 1/3)); a3 = 0.5·a2 + 0.5·w3 (min(0.6, 2/4)).
        var expected = weights[0].W1.Select((w, i) => (0.5f * ((w / 3f) + (2f / 3f * weights[1].W1[i]))) + (0.5f * weights[2].W1[i])).ToArray();
        Assert.Equal(3, weights.Count);
        AssertClose(expected, result.Model.W1);
        Assert.NotEqual(weights[2].W1, result.Model.W1);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Train_WithValidation_ScoresTheWeightsAndTheAverageAndKeepsTheBetter(bool averageWinsEpoch2)
    {
        var data = TestDatasets.Clustered(users: 30, items: 20, eventsPerUser: 10, seed: 6);
        var checkpoints = new List<TwoTowerCheckpoint>();

        // Calls per epoch: the weights, then (from epoch 2) their average. Epoch 2 is best, by its average or its weights.
        var scores = new Queue<double>(averageWinsEpoch2 ? [0.5, 0.5, 0.9, 0.5, 0.1, 0.5, 0.1] : [0.5, 0.6, 0.1, 0.5, 0.1, 0.5, 0.1]);
        var result = new TwoTowerTrainer(Options(4, 0.5f)).Train(
            data,
            TestDatasets.AllEvents(data),
            _ => scores.Dequeue(),
            null,
            null,
            progress => checkpoints.Add(progress.Current with { Model = progress.Current.Model.Clone(), Average = progress.Current.Average!.Clone() }));

        Assert.Empty(scores);
        Assert.Equal(2, result.BestEpoch);
        Assert.Equal(averageWinsEpoch2, result.BestIsAverage);
        Assert.Equal([false, averageWinsEpoch2, false, false], result.Epochs.Select(e => e.Averaged));
        Assert.Equal(averageWinsEpoch2 ? 0.9 : 0.6, result.Epochs[1].ValidationNdcgAt10);
        Assert.NotEqual(checkpoints[1].Model.W1, checkpoints[1].Average!.W1);
        Assert.Equal(averageWinsEpoch2 ? checkpoints[1].Average!.W1 : checkpoints[1].Model.W1, result.Model.W1);
    }

    [Theory]
    [InlineData(true, 0.7f)]
    [InlineData(false, 0f)]
    public void RefitOptions_AveragesOnlyWhenTheTuningKeptTheAverage(bool bestIsAverage, float expected)
    {
        var protocol = new ServerlessRec.Evaluation.TuneThenRefit(new TwoTowerOptions { WeightAveraging = 0.7f });

        var refit = protocol.RefitOptions(5, bestIsAverage);

        Assert.Equal(expected, refit.WeightAveraging);
        Assert.Equal(5, refit.Epochs);
    }

    [Fact]
    public void Train_ResumedFromACheckpointWithAnAverage_ContinuesThatAverage()
    {
        var data = TestDatasets.Clustered(users: 30, items: 20, eventsPerUser: 10, seed: 7);
        var ends = TestDatasets.AllEvents(data);
        var saved = new List<byte[]>();
        new TwoTowerTrainer(Options(2, 0.5f)).Train(data, ends, null, null, null, c => saved.Add(c.ToBytes()));
        var savedAverage = TwoTowerCheckpoint.FromBytes(saved[1]).Average;
        var weights = new List<TwoTowerModel>();

        var resumed = new TwoTowerTrainer(Options(3, 0.5f)).Train(data, ends, null, null, TwoTowerCheckpoint.FromBytes(saved[1]), c => weights.Add(c.Model.Clone()));
        var nothingLeft = new TwoTowerTrainer(Options(2, 0.5f)).Train(data, ends, null, null, TwoTowerCheckpoint.FromBytes(saved[1]), null);

        Assert.NotNull(savedAverage);
        var expected = savedAverage.W1.Select((a, i) => (0.5f * a) + (0.5f * weights.Single().W1[i])).ToArray();
        AssertClose(expected, resumed.Model.W1);
        Assert.Equal(savedAverage.W1, nothingLeft.Model.W1);
    }

    [Fact]
    public void Checkpoint_WithAverage_RoundTripsBothAndResultIsTheAverage()
    {
        var data = TestDatasets.Clustered(users: 10, items: 8, eventsPerUser: 5, seed: 8);
        var weights = new TwoTowerModel(data.ItemCount, data.FeatureBuckets, 8, 8, seed: 1);
        var average = new TwoTowerModel(data.ItemCount, data.FeatureBuckets, 8, 8, seed: 2);

        var copy = TwoTowerCheckpoint.FromBytes(new TwoTowerCheckpoint(weights, 3, average).ToBytes());
        var plain = TwoTowerCheckpoint.FromBytes(new TwoTowerCheckpoint(weights, 3).ToBytes());

        Assert.Equal(weights.ItemEmbeddings, copy.Model.ItemEmbeddings);
        Assert.Equal(average.ItemEmbeddings, copy.Average!.ItemEmbeddings);
        Assert.Equal(average.B2, copy.Result.B2);
        Assert.Null(plain.Average);
        Assert.Same(plain.Model, plain.Result);
    }

    [Theory]
    [InlineData(0.7f, 2, 1f / 3f)]
    [InlineData(0.7f, 3, 0.5f)]
    [InlineData(0.7f, 5, 4f / 6f)]
    [InlineData(0.7f, 6, 0.7f)]
    [InlineData(0.7f, 40, 0.7f)]
    [InlineData(0.2f, 2, 0.2f)]
    public void AveragingDecay_RampsInAndStopsAtTheConfiguredDecay(float decay, int epoch, float expected) =>
        Assert.Equal(expected, TwoTowerTrainer.AveragingDecay(decay, epoch), 6);

    [Fact]
    public void FormatEpoch_SaysWhenTheEpochsScoreIsTheAverages()
    {
        var weights = new TrainingEpoch(3, 1.5, 100, 1000, TimeSpan.FromSeconds(1), 0.07);

        Assert.DoesNotContain("averaged", ServerlessRec.Evaluation.ModelEvaluation.FormatEpoch(weights), StringComparison.Ordinal);
        Assert.EndsWith("validation NDCG@10 0.0700 (weights averaged over epochs)", ServerlessRec.Evaluation.ModelEvaluation.FormatEpoch(weights with { Averaged = true }), StringComparison.Ordinal);
    }

    private static void AssertClose(float[] expected, float[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-5f * (1 + Math.Abs(expected[i])), $"parameter {i}: expected {expected[i]}, got {actual[i]}");
        }
    }
}
