using Microsoft.ML.OnnxRuntime;
using ServerlessRec.Onnx;
using ServerlessRec.Training;

namespace ServerlessRec.Core.Tests.Onnx;

public sealed class TwoTowerOnnxExporterTests
{
    private const float Tolerance = 1e-5f;

    private static (TwoTowerModel Model, InteractionDataset Data) TrainSmall()
    {
        var data = TestDatasets.Clustered(users: 30, items: 24, eventsPerUser: 12, seed: 9);
        var options = new TwoTowerOptions { Dimensions = 8, HiddenDimensions = 6, HistoryLength = 10, BatchSize = 16, Epochs = 2, Threads = 1 };
        return (new TwoTowerTrainer(options).Train(data, TestDatasets.AllEvents(data)).Model, data);
    }

    [Fact]
    public void UserTower_BatchWithPaddingAndEmptyHistory_MatchesTrainerForwardPass()
    {
        var (model, _) = TrainSmall();
        using var session = new InferenceSession(TwoTowerOnnxExporter.ExportUserTower(model));

        // Row 0: a normal history; row 1: padded (index 0) and an unknown item mapped to 0; row 2: empty.
        const int L = 4;
        long[] items = [3, 5, 7, 2, 0, 4, 0, 9, 0, 0, 0, 0];
        float[] longTerm = [0.5f, 1f, 2f, 1f, 0f, 1f, 3f, 0.25f, 0f, 0f, 0f, 0f];
        float[] sessionWeights = [0f, 0f, 2f, 1f, 0f, 0f, 1f, 1f, 0f, 0f, 0f, 0f];

        var actual = RunUserTower(session, items, longTerm, sessionWeights, batch: 3, L);

        for (var row = 0; row < 3; row++)
        {
            var expected = new float[model.Dimensions];
            var slice = row * L;
            model.UserVector(
                items.AsSpan(slice, L).ToArray().Select(i => (int)i).ToArray(),
                longTerm.AsSpan(slice, L),
                sessionWeights.AsSpan(slice, L),
                expected,
                new float[model.UserScratchSize]);
            AssertClose(expected, actual.AsSpan(row * model.Dimensions, model.Dimensions));
        }
    }

    [Fact]
    public void UserHead_RowsGatheredFromTheTableFile_EqualTheWholeTower()
    {
        var (model, _) = TrainSmall();
        var path = Path.Combine(Path.GetTempPath(), "srec-head-" + Guid.NewGuid().ToString("N") + ".f32");
        File.WriteAllBytes(path, TwoTowerOnnxExporter.ExportHistoryEmbeddings(model));
        using var whole = new OnnxUserTower(TwoTowerOnnxExporter.ExportUserTower(model), historyLength: 10, model.Dimensions);
        using var head = new OnnxUserTower(TwoTowerOnnxExporter.ExportUserHead(model), historyLength: 10, model.Dimensions, new VectorRowFile(path, model.ItemRows, model.Dimensions));
        int[][] histories = [[3, 5, 7, 2], [1], [24, 0, 6, 6, 11, 19, 20, 21, 22, 23], []];
        var random = new Random(5);

        foreach (var items in histories)
        {
            var longTerm = items.Select(_ => (float)random.NextDouble()).ToArray();
            var session = items.Select(_ => random.Next(2) * (float)random.NextDouble()).ToArray();
            var expected = new float[model.Dimensions];
            var actual = new float[model.Dimensions];
            whole.Compute(items, longTerm, session, expected);
            head.Compute(items, longTerm, session, actual);
            AssertClose(expected, actual);
        }

        head.Dispose();
        Assert.False(File.Exists(path));
    }

    [Fact]
    public void ItemTower_ItemsWithAndWithoutFeatures_MatchTrainerForwardPass()
    {
        var (model, data) = TrainSmall();
        using var session = new InferenceSession(TwoTowerOnnxExporter.ExportItemTower(model));
        var maxFeatures = data.MaxFeaturesPerItem;
        int[] itemsToCheck = [1, 2, 5, data.ItemCount];
        var featureIdx = new long[itemsToCheck.Length * maxFeatures];
        for (var k = 0; k < itemsToCheck.Length; k++)
        {
            var features = data.FeaturesOf(itemsToCheck[k]);
            for (var f = 0; f < features.Length; f++)
            {
                featureIdx[(k * maxFeatures) + f] = features[f];
            }
        }

        // The last row has no features at all (cold item unknown to the catalog).
        featureIdx.AsSpan((itemsToCheck.Length - 1) * maxFeatures).Clear();
        var itemIdx = itemsToCheck.Select(i => (long)i).ToArray();

        using var itemValue = OrtValue.CreateTensorValueFromMemory(itemIdx, [itemIdx.Length]);
        using var featureValue = OrtValue.CreateTensorValueFromMemory(featureIdx, [itemIdx.Length, maxFeatures]);
        using var results = session.Run(new RunOptions(), ["item_idx", "feature_idx"], [itemValue, featureValue], ["item_vector"]);
        var actual = results[0].GetTensorDataAsSpan<float>().ToArray();

        for (var k = 0; k < itemsToCheck.Length; k++)
        {
            var expected = new float[model.Dimensions];
            var features = k == itemsToCheck.Length - 1 ? [] : data.FeaturesOf(itemsToCheck[k]).ToArray();
            model.ItemVector(itemsToCheck[k], features, expected);
            AssertClose(expected, actual.AsSpan(k * model.Dimensions, model.Dimensions));
        }
    }

    private static float[] RunUserTower(InferenceSession session, long[] items, float[] longTerm, float[] sessionWeights, int batch, int length)
    {
        using var itemValue = OrtValue.CreateTensorValueFromMemory(items, [batch, length]);
        using var longValue = OrtValue.CreateTensorValueFromMemory(longTerm, [batch, length]);
        using var sessionValue = OrtValue.CreateTensorValueFromMemory(sessionWeights, [batch, length]);
        using var results = session.Run(new RunOptions(), ["history_item_idx", "history_weight", "session_weight"], [itemValue, longValue, sessionValue], ["user_vector"]);
        return results[0].GetTensorDataAsSpan<float>().ToArray();
    }

    private static void AssertClose(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.True(Math.Abs(expected[i] - actual[i]) <= Tolerance, $"index {i}: trainer {expected[i]}, ONNX {actual[i]}");
        }
    }
}
