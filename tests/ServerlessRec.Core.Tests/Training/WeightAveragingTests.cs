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

        // a1 = w1; a2 = 0.6·a1 + 0.4·w2; a3 = 0.6·a2 + 0.4·w3.
        var expected = weights[0].W1.Select((w, i) => (0.6f * ((0.6f * w) + (0.4f * weights[1].W1[i]))) + (0.4f * weights[2].W1[i])).ToArray();
        Assert.Equal(3, weights.Count);
        AssertClose(expected, result.Model.W1);
        Assert.NotEqual(weights[2].W1, result.Model.W1);
    }

    [Fact]
    public void Train_WithValidation_ScoresAndKeepsTheAverageNotTheWeights()
    {
        var data = TestDatasets.Clustered(users: 30, items: 20, eventsPerUser: 10, seed: 6);
        var scored = new List<float[]>();
        var checkpoints = new List<TwoTowerCheckpoint>();
        var epoch = 0;

        // The score rises until epoch 2 and falls after it, so early stopping keeps epoch 2.
        var result = new TwoTowerTrainer(Options(4, 0.5f)).Train(
            data,
            TestDatasets.AllEvents(data),
            model =>
            {
                scored.Add((float[])model.B2.Clone());
                return ++epoch == 2 ? 1.0 : 0.5;
            },
            null,
            null,
            progress => checkpoints.Add(progress.Current with { Model = progress.Current.Model.Clone(), Average = progress.Current.Average!.Clone() }));

        Assert.Equal(2, result.BestEpoch);
        Assert.All(checkpoints, c => Assert.NotNull(c.Average));
        for (var i = 0; i < checkpoints.Count; i++)
        {
            // After the first epoch the average is the weights; from the second on they differ.
            Assert.Equal(checkpoints[i].Average!.B2, scored[i]);
            if (i > 0)
            {
                Assert.NotEqual(checkpoints[i].Model.B2, scored[i]);
            }
        }

        Assert.Equal(checkpoints[1].Average!.W1, result.Model.W1);
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

    private static void AssertClose(float[] expected, float[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-5f * (1 + Math.Abs(expected[i])), $"parameter {i}: expected {expected[i]}, got {actual[i]}");
        }
    }
}
