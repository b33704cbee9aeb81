using ServerlessRec.Training;

namespace ServerlessRec.Core.Tests.Training;

/// <summary>The tuning phase resumes where a crashed Train activity stopped, with its early-stopping state.</summary>
public sealed class TrainingProgressTests
{
    // Averaging off: the scripted scores are one per epoch (averaging scores the average too).
    private static readonly TwoTowerOptions Options = new()
    {
        WeightAveraging = 0f,
        Dimensions = 8,
        HiddenDimensions = 8,
        HistoryLength = 10,
        BatchSize = 32,
        Epochs = 5,
        Patience = 2,
        Threads = 1,
        Seed = 5,
    };

    [Fact]
    public void Train_CrashAfterEpochTwoThenResume_ContinuesAtEpochThreeWithTheBestSoFar()
    {
        var data = TestDatasets.Clustered(users: 30, items: 20, eventsPerUser: 12, seed: 3);
        var ends = TestDatasets.AllEvents(data);
        double[] scores = [0.5, 0.9, 0.1, 0.2, 0.3];
        var calls = 0;
        TrainingProgress? saved = null;

        Assert.Throws<InvalidOperationException>(() => new TwoTowerTrainer(Options).Train(
            data, ends, _ => scores[calls++], null, resume: null, onProgress: p =>
            {
                saved = p;
                if (p.Current.Epoch == 2)
                {
                    throw new InvalidOperationException("the instance was recycled");
                }
            }));
        var resumedFrom = saved!;
        var resumed = new TwoTowerTrainer(Options).Train(data, ends, _ => scores[calls++], null, resumedFrom, onProgress: p => saved = p);

        Assert.Equal(2, resumedFrom.Current.Epoch);
        Assert.NotNull(resumedFrom.Best);
        Assert.Equal(2, resumedFrom.BestEpoch);
        // Epoch 3 and 4 do not beat epoch 2's 0.9; patience 2 stops after epoch 4 and keeps epoch 2's parameters.
        Assert.Equal([1, 2, 3, 4], resumed.Epochs.Select(e => e.Epoch));
        Assert.Equal(2, resumed.BestEpoch);
        Assert.Equal(4, calls);
        Assert.Equal(resumedFrom.Best!.ItemEmbeddings, resumed.Model.ItemEmbeddings);
        Assert.True(saved!.Finished);
    }

    [Fact]
    public void Train_ResumedFromFinishedProgress_ReturnsTheBestWithoutAnotherEpoch()
    {
        var data = TestDatasets.Clustered(users: 30, items: 20, eventsPerUser: 12, seed: 4);
        var ends = TestDatasets.AllEvents(data);
        TrainingProgress? last = null;
        var first = new TwoTowerTrainer(Options).Train(data, ends, m => m.W1[0], null, resume: null, onProgress: p => last = p);
        var validations = 0;

        var again = new TwoTowerTrainer(Options).Train(data, ends, _ => ++validations, null, last, onProgress: null);

        Assert.True(last!.Finished);
        Assert.Equal(0, validations);
        Assert.Equal(first.BestEpoch, again.BestEpoch);
        Assert.Equal(first.Model.ItemEmbeddings, again.Model.ItemEmbeddings);
        Assert.Equal(first.Model.W2, again.Model.W2);
    }
}
