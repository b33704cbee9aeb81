using ServerlessRec.Training;

namespace ServerlessRec.Core.Tests.Training;

public sealed class TwoTowerCheckpointTests
{
    private static TwoTowerOptions Options(int epochs) => new() { Dimensions = 8, HiddenDimensions = 8, HistoryLength = 10, BatchSize = 16, Epochs = epochs, Threads = 1, SampledNegatives = 8 };

    [Fact]
    public void FromBytes_ToBytes_RoundTripsEveryParameter()
    {
        var data = TestDatasets.Clustered(users: 20, items: 16, eventsPerUser: 8, seed: 1);
        var model = new TwoTowerTrainer(Options(1)).Train(data, TestDatasets.AllEvents(data)).Model;

        var copy = TwoTowerCheckpoint.FromBytes(new TwoTowerCheckpoint(model, 1).ToBytes());

        Assert.Equal(1, copy.Epoch);
        Assert.Equal(model.HistoryEmbeddings, copy.Model.HistoryEmbeddings);
        Assert.Equal(model.FeatureEmbeddings, copy.Model.FeatureEmbeddings);
        Assert.Equal(model.W2, copy.Model.W2);
        Assert.Equal(model.B2, copy.Model.B2);
    }

    [Fact]
    public void FromBytes_TruncatedBytes_AreRejected()
    {
        var data = TestDatasets.Clustered(users: 10, items: 8, eventsPerUser: 5, seed: 2);
        var bytes = new TwoTowerCheckpoint(new TwoTowerModel(data.ItemCount, data.FeatureBuckets, 8, 8, 1), 3).ToBytes();

        Assert.Throws<InvalidDataException>(() => TwoTowerCheckpoint.FromBytes(bytes.AsSpan(0, bytes.Length - 4)));
        Assert.Throws<InvalidDataException>(() => TwoTowerCheckpoint.FromBytes(new byte[40]));
    }

    [Fact]
    public void Train_ResumedFromAnEpochCheckpoint_RunsOnlyTheRemainingEpochs()
    {
        var data = TestDatasets.Clustered(users: 30, items: 20, eventsPerUser: 10, seed: 3);
        var ends = TestDatasets.AllEvents(data);
        var checkpoints = new List<byte[]>();
        new TwoTowerTrainer(Options(4)).Train(data, ends, null, null, null, c => checkpoints.Add(c.ToBytes()));

        var resumed = new TwoTowerTrainer(Options(4)).Train(data, ends, null, null, TwoTowerCheckpoint.FromBytes(checkpoints[1]), null);

        Assert.Equal(4, checkpoints.Count);
        Assert.Equal([3, 4], resumed.Epochs.Select(e => e.Epoch));
        Assert.Equal(4, resumed.BestEpoch);
    }
}
