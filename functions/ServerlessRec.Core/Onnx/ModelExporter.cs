using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using Microsoft.ML.OnnxRuntime;
using ServerlessRec.Evaluation;
using ServerlessRec.Events;
using ServerlessRec.Retrieval;
using ServerlessRec.Serving;
using ServerlessRec.Training;

namespace ServerlessRec.Onnx;

/// <summary>
/// Turns a trained model into a publishable <see cref="ModelPackage"/>: both towers as ONNX, item vectors
/// computed by the ONNX item tower (cold-start items included), the item vocabulary and the manifest. It
/// refuses to publish when ONNX Runtime's outputs differ from the trainer's forward pass by more than
/// <see cref="ParityTolerance"/> on real rows.
/// </summary>
public static class ModelExporter
{
    /// <summary>The largest absolute difference allowed between ONNX Runtime and the trainer.</summary>
    public const float ParityTolerance = 1e-5f;

    /// <summary>How many real user histories the parity check runs.</summary>
    public const int ParitySampleSize = 64;

    /// <summary>
    /// From this many items the export trains an IVF quantiser (<see cref="ModelManifest.IvfFile"/>): the serving
    /// default <see cref="ServingModel.IvfFromItems"/>, so a version served through its lists always has them.
    /// </summary>
    public const int IvfFromItems = ServingModel.IvfFromItems;

    /// <summary>How many real users' vectors join the held-out item vectors that choose the IVF nprobe.</summary>
    public const int IvfCalibrationUsers = 200;

    /// <summary>
    /// Exports a model trained on <paramref name="data"/>. <paramref name="dataCutoffNotAfter"/> (a retraining run's start)
    /// clamps the recorded data cutoff (the newest event time), so an event dated in the future cannot make every later
    /// event look "seen" to the live-model comparison.
    /// </summary>
    /// <exception cref="ModelIntegrityException">The ONNX towers do not reproduce the trainer's vectors.</exception>
    public static ModelPackage Export(
        TwoTowerModel model,
        InteractionDataset data,
        TwoTowerOptions options,
        EventTypeOptions eventTypes,
        string version,
        DateTimeOffset created,
        IReadOnlyDictionary<string, RankingMetrics>? metrics = null,
        IReadOnlyDictionary<string, double>? training = null,
        DateTimeOffset? dataCutoffNotAfter = null,
        IvfOptions? ivf = null,
        int ivfFromItems = IvfFromItems)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(eventTypes);
        var userTower = TwoTowerOnnxExporter.ExportUserTower(model);
        var userHead = TwoTowerOnnxExporter.ExportUserHead(model);
        var itemTower = TwoTowerOnnxExporter.ExportItemTower(model);
        CheckUserTowerParity(model, data, options, userTower, userHead);
        var vectors = ComputeItemVectors(model, data, itemTower);

        var maxFeatures = data.MaxFeaturesPerItem;
        var manifest = new ModelManifest
        {
            Version = version,
            Created = created,
            Dimensions = model.Dimensions,
            HiddenDimensions = model.HiddenDimensions,
            HistoryLength = options.HistoryLength,
            DecayHalfLifeDays = options.DecayHalfLifeDays,
            SessionGapMinutes = options.SessionGapMinutes,
            SessionMaxEvents = options.SessionMaxEvents,
            SessionPositionDecay = options.SessionPositionDecay,
            Temperature = options.Temperature,
            FeatureBuckets = data.FeatureBuckets,
            MaxFeaturesPerItem = maxFeatures,
            ItemCount = data.ItemCount,
            EventTypes = new Dictionary<string, EventTypeDefinition>(eventTypes.Types, StringComparer.OrdinalIgnoreCase),
            Metrics = metrics ?? new Dictionary<string, RankingMetrics>(),
            Training = WithDataCutoff(training, data, dataCutoffNotAfter),
        };

        var artifacts = new Dictionary<string, byte[]>(StringComparer.Ordinal)
        {
            [ModelManifest.UserTowerFile] = userTower,
            [ModelManifest.UserHeadFile] = userHead,
            [ModelManifest.HistoryEmbeddingsFile] = TwoTowerOnnxExporter.ExportHistoryEmbeddings(model),
            [ModelManifest.ItemTowerFile] = itemTower,
            [ModelManifest.ItemsFile] = ItemsJsonLines(data),
            [ModelManifest.ItemVectorsFile] = MemoryMarshal.AsBytes(vectors.AsSpan()).ToArray(),
        };
        if (data.ItemCount >= ivfFromItems && data.ItemCount > 0)
        {
            artifacts[ModelManifest.IvfFile] = TrainIvf(model, data, options, vectors, ivf).ToBytes();
        }

        return ModelPackage.Seal(manifest, artifacts);
    }

    /// <summary>The training entry holding the newest event time (Unix seconds) the model trained on.</summary>
    public const string DataCutoffKey = "dataCutoffUnixSeconds";

    private static Dictionary<string, double> WithDataCutoff(IReadOnlyDictionary<string, double>? training, InteractionDataset data, DateTimeOffset? notAfter)
    {
        var result = training is null ? new Dictionary<string, double>(StringComparer.Ordinal) : new Dictionary<string, double>(training, StringComparer.Ordinal);
        var newest = data.EventCount == 0 ? 0 : data.EventTimes.Max();
        result[DataCutoffKey] = notAfter is { } limit ? Math.Min(newest, limit.ToUnixTimeSeconds()) : newest;
        return result;
    }

    private static void CheckUserTowerParity(TwoTowerModel model, InteractionDataset data, TwoTowerOptions options, byte[] userTower, byte[] userHead)
    {
        var window = new HistoryWindow(options);
        var l = options.HistoryLength;
        var users = Enumerable.Range(0, data.UserCount).Where(u => data.UserOffsets[u + 1] > data.UserOffsets[u]).ToArray();
        var sample = users.Length <= ParitySampleSize ? users : Enumerable.Range(0, ParitySampleSize).Select(k => users[(int)((long)k * users.Length / ParitySampleSize)]).ToArray();
        var batch = Math.Max(1, sample.Length + 1);

        // The sample's real histories, plus one empty history (a user with nothing usable).
        var items = new long[batch * l];
        var longTerm = new float[batch * l];
        var session = new float[batch * l];
        var expected = new float[batch * model.Dimensions];
        var rowItems = new int[l];
        var scratch = new float[model.UserScratchSize];
        for (var row = 0; row < batch; row++)
        {
            var n = 0;
            if (row < sample.Length)
            {
                var u = sample[row];
                n = window.Fill(HistoryEvents.Of(data, data.UserOffsets[u], data.UserOffsets[u + 1]), rowItems, longTerm.AsSpan(row * l, l), session.AsSpan(row * l, l));
                for (var k = 0; k < n; k++)
                {
                    items[(row * l) + k] = rowItems[k];
                }
            }

            model.UserVector(rowItems.AsSpan(0, n), longTerm.AsSpan(row * l, n), session.AsSpan(row * l, n), expected.AsSpan(row * model.Dimensions, model.Dimensions), scratch);
        }

        using var sessionOptions = new SessionOptions();
        using var inference = new InferenceSession(userTower, sessionOptions);
        using var itemValue = OrtValue.CreateTensorValueFromMemory(items, [batch, l]);
        using var longValue = OrtValue.CreateTensorValueFromMemory(longTerm, [batch, l]);
        using var sessionValue = OrtValue.CreateTensorValueFromMemory(session, [batch, l]);
        using var runOptions = new RunOptions();
        using var results = inference.Run(runOptions, ["history_item_idx", "history_weight", "session_weight"], [itemValue, longValue, sessionValue], ["user_vector"]);
        AssertParity("user tower", expected, results[0].GetTensorDataAsSpan<float>());

        // The head gets the rows the serving instance gathers from history_embeddings.f32.
        var d = model.Dimensions;
        var rows = new float[batch * l * d];
        for (var i = 0; i < items.Length; i++)
        {
            model.HistoryEmbeddings.AsSpan((int)items[i] * d, d).CopyTo(rows.AsSpan(i * d, d));
        }

        using var headSession = new InferenceSession(userHead, sessionOptions);
        using var rowsValue = OrtValue.CreateTensorValueFromMemory(rows, [batch, l, d]);
        using var headResults = headSession.Run(runOptions, ["history_item_idx", "history_weight", "session_weight", "history_rows"], [itemValue, longValue, sessionValue, rowsValue], ["user_vector"]);
        AssertParity("user head", expected, headResults[0].GetTensorDataAsSpan<float>());
    }

    /// <summary>
    /// The IVF quantiser of the item vectors, its nprobe chosen on held-out item vectors and on the vectors of real users
    /// (their stored histories through the trainer's user tower, which the ONNX one matches within the parity tolerance).
    /// </summary>
    private static IvfQuantiser TrainIvf(TwoTowerModel model, InteractionDataset data, TwoTowerOptions options, float[] vectors, IvfOptions? ivf)
    {
        var d = model.Dimensions;
        var items = new IndexedItem[data.ItemCount];
        for (var r = 0; r < items.Length; r++)
        {
            items[r] = new IndexedItem(data.ItemIds[r + 1], vectors.AsMemory(r * d, d), [], true, 0);
        }

        var index = new EmbeddedItemIndex("export", d, items);
        var window = new HistoryWindow(options);
        var l = options.HistoryLength;
        var users = Enumerable.Range(0, data.UserCount).Where(u => data.UserOffsets[u + 1] > data.UserOffsets[u]).ToArray();
        var sample = users.Length <= IvfCalibrationUsers ? users : Enumerable.Range(0, IvfCalibrationUsers).Select(k => users[(int)((long)k * users.Length / IvfCalibrationUsers)]).ToArray();
        var rowItems = new int[l];
        var longTerm = new float[l];
        var session = new float[l];
        var scratch = new float[model.UserScratchSize];
        var queries = new List<float[]>(sample.Length);
        foreach (var u in sample)
        {
            var n = window.Fill(HistoryEvents.Of(data, data.UserOffsets[u], data.UserOffsets[u + 1]), rowItems, longTerm, session);
            var query = new float[d];
            model.UserVector(rowItems.AsSpan(0, n), longTerm.AsSpan(0, n), session.AsSpan(0, n), query, scratch);
            queries.Add(query);
        }

        return IvfQuantiser.Train(index, queries, ivf);
    }

    private static float[] ComputeItemVectors(TwoTowerModel model, InteractionDataset data, byte[] itemTower)
    {
        var count = data.ItemCount;
        var width = data.MaxFeaturesPerItem;
        var indices = new long[count];
        var features = new long[count * width];
        for (var i = 1; i <= count; i++)
        {
            indices[i - 1] = i;
            var f = data.FeaturesOf(i);
            for (var k = 0; k < f.Length; k++)
            {
                features[((i - 1) * width) + k] = f[k];
            }
        }

        var vectors = new float[count * model.Dimensions];
        using (var tower = new OnnxItemTower(itemTower, model.Dimensions))
        {
            tower.Compute(indices, features, width, vectors);
        }

        var expected = new float[count * model.Dimensions];
        for (var i = 1; i <= count; i++)
        {
            model.ItemVector(i, data.FeaturesOf(i), expected.AsSpan((i - 1) * model.Dimensions, model.Dimensions));
        }

        AssertParity("item tower", expected, vectors);
        return vectors;
    }

    private static void AssertParity(string tower, ReadOnlySpan<float> expected, ReadOnlySpan<float> actual)
    {
        if (expected.Length != actual.Length)
        {
            throw new ModelIntegrityException($"ONNX {tower} returned {actual.Length} values, the trainer {expected.Length}");
        }

        var worst = 0f;
        for (var i = 0; i < expected.Length; i++)
        {
            var diff = MathF.Abs(expected[i] - actual[i]);
            if (!(diff <= worst))
            {
                worst = diff;
            }
        }

        if (!(worst <= ParityTolerance))
        {
            throw new ModelIntegrityException($"ONNX {tower} differs from the trainer's forward pass by {worst:G3} (> {ParityTolerance:G1}); the model is not published");
        }
    }

    private static byte[] ItemsJsonLines(InteractionDataset data)
    {
        var popularity = data.PositiveCounts(Enumerable.Range(0, data.UserCount).Select(u => data.UserOffsets[u + 1] - data.UserOffsets[u]).ToArray());
        using var stream = new MemoryStream();
        for (var i = 1; i <= data.ItemCount; i++)
        {
            var item = new ModelItem
            {
                Index = i,
                ItemId = data.ItemIds[i],
                Features = data.FeaturesOf(i).ToArray(),
                Categories = i < data.ItemCategories.Count ? data.ItemCategories[i] : [],
                Available = i >= data.ItemAvailable.Count || data.ItemAvailable[i],
                Popularity = popularity[i],
            };
            JsonSerializer.Serialize(stream, item);
            stream.WriteByte((byte)'\n');
        }

        return stream.ToArray();
    }

    /// <summary>Reads <c>items.jsonl</c>.</summary>
    public static IReadOnlyList<ModelItem> ReadItems(byte[] itemsJsonLines)
    {
        ArgumentNullException.ThrowIfNull(itemsJsonLines);
        var items = new List<ModelItem>();
        foreach (var line in Encoding.UTF8.GetString(itemsJsonLines).Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            items.Add(JsonSerializer.Deserialize<ModelItem>(line) ?? throw new ModelIntegrityException("items.jsonl has an empty line"));
        }

        return items;
    }
}
