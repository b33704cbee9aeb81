using ServerlessRec.Evaluation;
using ServerlessRec.Training;

namespace ServerlessRec.Core.Tests.Training;

public sealed class TwoTowerTrainerTests
{
    private static TwoTowerOptions SmallOptions(int threads) => new()
    {
        Dimensions = 16,
        HiddenDimensions = 16,
        HistoryLength = 20,
        BatchSize = 32,
        Epochs = 3,
        Threads = threads,
        Seed = 11,
    };

    [Fact]
    public void Train_OneThreadSameSeed_IsDeterministic()
    {
        var data = TestDatasets.Clustered(users: 40, items: 30, eventsPerUser: 15, seed: 1);
        var ends = TestDatasets.AllEvents(data);

        var first = new TwoTowerTrainer(SmallOptions(1)).Train(data, ends).Model;
        var second = new TwoTowerTrainer(SmallOptions(1)).Train(data, ends).Model;

        Assert.Equal(first.ItemEmbeddings, second.ItemEmbeddings);
        Assert.Equal(first.HistoryEmbeddings, second.HistoryEmbeddings);
        Assert.Equal(first.W1, second.W1);
    }

    [Fact]
    public void Train_TwoThreadsSameSeed_IsDeterministic()
    {
        var data = TestDatasets.Clustered(users: 40, items: 30, eventsPerUser: 15, seed: 2);
        var ends = TestDatasets.AllEvents(data);

        var first = new TwoTowerTrainer(SmallOptions(2)).Train(data, ends).Model;
        var second = new TwoTowerTrainer(SmallOptions(2)).Train(data, ends).Model;

        Assert.Equal(first.W2, second.W2);
        Assert.Equal(first.FeatureEmbeddings, second.FeatureEmbeddings);
    }

    [Fact]
    public void Train_OneAndTwoThreadsSameSeed_GiveIdenticalParameters()
    {
        // The README's claim: the batched matrix products (and the sparse scatters split by row) make training
        // independent of the thread count, bit for bit, not only within a tolerance.
        var data = TestDatasets.Clustered(users: 120, items: 50, eventsPerUser: 20, seed: 12);
        var ends = TestDatasets.AllEvents(data);
        var options = SmallOptions(1);
        options.BatchSize = 64;
        options.SampledNegatives = 32;
        var twoThreads = SmallOptions(2);
        twoThreads.BatchSize = 64;
        twoThreads.SampledNegatives = 32;

        var one = new TwoTowerTrainer(options).Train(data, ends).Model;
        var two = new TwoTowerTrainer(twoThreads).Train(data, ends).Model;

        var first = Parameters(one);
        var second = Parameters(two);
        for (var i = 0; i < first.Length; i++)
        {
            Assert.Equal(first[i], second[i]);
        }

        Assert.Equal(one.ItemVectors(data), two.ItemVectors(data));
        var scratch = new float[one.UserScratchSize];
        var history = new[] { 1, 2, 3, 5, 8 };
        var weights = new[] { 1f, 1f, 0.5f, 1f, 2f };
        var session = new[] { 0f, 0f, 1f, 1f, 1f };
        var userOne = new float[one.Dimensions];
        var userTwo = new float[two.Dimensions];
        one.UserVector(history, weights, session, userOne, scratch);
        two.UserVector(history, weights, session, userTwo, scratch);
        Assert.Equal(userOne, userTwo);
    }

    [Fact]
    public void Train_ReportsFallingLossAndProgressPerEpoch()
    {
        var data = TestDatasets.Clustered(users: 60, items: 40, eventsPerUser: 20, seed: 3);
        var reported = new List<TrainingEpoch>();

        var result = new TwoTowerTrainer(SmallOptions(2)).Train(data, TestDatasets.AllEvents(data), onEpoch: reported.Add);

        Assert.Equal(3, reported.Count);
        Assert.True(reported[^1].Loss < reported[0].Loss, $"loss went from {reported[0].Loss} to {reported[^1].Loss}");
        Assert.All(reported, e => Assert.True(e.ExamplesPerSecond > 0));
        Assert.Equal(3, result.BestEpoch);
    }

    [Fact]
    public void Train_WithValidation_StopsAfterPatienceAndKeepsBestEpoch()
    {
        var data = TestDatasets.Clustered(users: 30, items: 20, eventsPerUser: 10, seed: 4);
        var options = SmallOptions(1);
        options.WeightAveraging = 0f; // one scripted score per epoch
        options.Epochs = 10;
        options.Patience = 2;
        var scores = new Queue<double>([0.1, 0.3, 0.2, 0.25, 0.9, 0.9]);
        // A copy of every parameter as each epoch ends, when the trainer asks for its validation score.
        var atEpoch = new List<float[][]>();

        var result = new TwoTowerTrainer(options).Train(data, TestDatasets.AllEvents(data), model =>
        {
            atEpoch.Add(Parameters(model).Select(p => (float[])p.Clone()).ToArray());
            return scores.Dequeue();
        });

        Assert.Equal(2, result.BestEpoch);
        Assert.Equal(4, result.Epochs.Count);
        Assert.Equal(4, atEpoch.Count);
        // The returned model holds the second epoch's parameters, not the last epoch's it trained on.
        var returned = Parameters(result.Model);
        for (var i = 0; i < returned.Length; i++)
        {
            Assert.Equal(atEpoch[1][i], returned[i]);
        }

        Assert.NotEqual(atEpoch[3][1], returned[1]);
    }

    private static float[][] Parameters(TwoTowerModel m) => [m.HistoryEmbeddings, m.ItemEmbeddings, m.FeatureEmbeddings, m.W1, m.B1, m.W2, m.B2];

    [Fact]
    public void Train_ClusteredData_BeatsPopularityOnValidation()
    {
        var data = TestDatasets.Clustered(users: 200, items: 60, eventsPerUser: 25, seed: 5);
        var split = LeaveLastOutSplit.Create(data);
        var options = SmallOptions(2);
        options.Epochs = 8;

        var model = new TwoTowerTrainer(options).Train(data, split.TrainEnds).Model;
        var twoTower = RankingEvaluator.Evaluate(split, HeldOut.Validation, new TwoTowerScorer(model, data, options));
        var popularity = RankingEvaluator.Evaluate(split, HeldOut.Validation, new PopularityScorer(data, split.TrainEnds));

        Assert.True(twoTower.NdcgAt10 > popularity.NdcgAt10 * 1.5, $"two-tower {twoTower.NdcgAt10:F3} vs popularity {popularity.NdcgAt10:F3}");
    }
}
