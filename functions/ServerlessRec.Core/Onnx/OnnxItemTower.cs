using Microsoft.ML.OnnxRuntime;

namespace ServerlessRec.Onnx;

/// <summary>The exported item tower on ONNX Runtime, run in batches to compute the vectors of a catalog.</summary>
public sealed class OnnxItemTower : IDisposable
{
    private static readonly string[] InputNames = ["item_idx", "feature_idx"];
    private static readonly string[] OutputNames = ["item_vector"];
    private readonly InferenceSession _session;

    /// <summary>Loads an item tower from its ONNX bytes.</summary>
    public OnnxItemTower(byte[] model, int dimensions)
    {
        ArgumentNullException.ThrowIfNull(model);
        using var options = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL };
        _session = new InferenceSession(model, options);
        Dimensions = dimensions;
    }

    /// <summary>Gets the output dimension.</summary>
    public int Dimensions { get; }

    /// <summary>
    /// Computes the vectors of <paramref name="itemIndices"/> (0 for an item unknown at training time: its vector
    /// then comes from its features alone) with their feature indices, <paramref name="featuresPerItem"/> per item
    /// (0-padded), into <paramref name="output"/> ([count × Dimensions]).
    /// </summary>
    public void Compute(ReadOnlySpan<long> itemIndices, ReadOnlySpan<long> featureIndices, int featuresPerItem, Span<float> output, int batchSize = 512)
    {
        var count = itemIndices.Length;
        var width = Math.Max(1, featuresPerItem);
        if (featureIndices.Length != count * featuresPerItem || output.Length < count * Dimensions)
        {
            throw new ArgumentException("feature and output buffers do not match the item count");
        }

        var items = new long[Math.Min(batchSize, Math.Max(1, count))];
        var features = new long[items.Length * width];
        var vectors = new float[items.Length * Dimensions];
        using var runOptions = new RunOptions();
        for (var start = 0; start < count; start += items.Length)
        {
            var n = Math.Min(items.Length, count - start);
            itemIndices.Slice(start, n).CopyTo(items);
            features.AsSpan().Clear();
            if (featuresPerItem > 0)
            {
                featureIndices.Slice(start * featuresPerItem, n * featuresPerItem).CopyTo(features);
            }

            using var itemValue = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, items.AsMemory(0, n), [n]);
            using var featureValue = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, features.AsMemory(0, n * width), [n, width]);
            using var outputValue = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, vectors.AsMemory(0, n * Dimensions), [n, Dimensions]);
            _session.Run(runOptions, InputNames, [itemValue, featureValue], OutputNames, [outputValue]);
            vectors.AsSpan(0, n * Dimensions).CopyTo(output.Slice(start * Dimensions, n * Dimensions));
        }
    }

    /// <inheritdoc/>
    public void Dispose() => _session.Dispose();
}
