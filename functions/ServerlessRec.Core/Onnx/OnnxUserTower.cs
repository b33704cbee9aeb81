using System.Collections.Concurrent;
using Microsoft.ML.OnnxRuntime;

namespace ServerlessRec.Onnx;

/// <summary>
/// The exported user tower on ONNX Runtime: one <see cref="InferenceSession"/> for the life of a model
/// version, and pooled, preallocated input/output tensors so a request allocates nothing on the hot path.
/// Either the whole tower (<c>user_tower.onnx</c>, the history embedding table inside) or its head
/// (<c>user_head.onnx</c>) with the history rows gathered here from a <see cref="VectorRowFile"/>: both give the
/// same vector. Thread-safe.
/// </summary>
public sealed class OnnxUserTower : IDisposable
{
    private static readonly string[] InputNames = ["history_item_idx", "history_weight", "session_weight"];
    private static readonly string[] HeadInputNames = ["history_item_idx", "history_weight", "session_weight", "history_rows"];
    private static readonly string[] OutputNames = ["user_vector"];
    private readonly InferenceSession _session;
    private readonly ConcurrentBag<Buffers> _pool = [];
    private readonly RunOptions _runOptions = new();
    private readonly VectorRowFile? _historyRows;

    /// <summary>Loads a user tower from its ONNX bytes.</summary>
    public OnnxUserTower(byte[] model, int historyLength, int dimensions)
        : this(model, historyLength, dimensions, historyRows: null)
    {
    }

    /// <summary>
    /// Loads a user tower from its ONNX bytes: the whole tower when <paramref name="historyRows"/> is null, otherwise the
    /// head (<see cref="TwoTowerOnnxExporter.ExportUserHead"/>) fed with rows of <paramref name="historyRows"/>, which the
    /// tower then owns.
    /// </summary>
    public OnnxUserTower(byte[] model, int historyLength, int dimensions, VectorRowFile? historyRows)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentOutOfRangeException.ThrowIfLessThan(historyLength, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(dimensions, 1);
        using var options = new SessionOptions { IntraOpNumThreads = 1, InterOpNumThreads = 1, ExecutionMode = ExecutionMode.ORT_SEQUENTIAL };
        options.GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL;
        _session = new InferenceSession(model, options);
        HistoryLength = historyLength;
        Dimensions = dimensions;
        _historyRows = historyRows;
    }

    /// <summary>Gets the history length L the tower reads.</summary>
    public int HistoryLength { get; }

    /// <summary>Gets the output dimension.</summary>
    public int Dimensions { get; }

    /// <summary>
    /// Computes one user vector. <paramref name="items"/> holds item indices (0 = padding/unknown), at most
    /// <see cref="HistoryLength"/>, oldest first, with their long-term and session weights.
    /// </summary>
    public void Compute(ReadOnlySpan<int> items, ReadOnlySpan<float> longTermWeights, ReadOnlySpan<float> sessionWeights, Span<float> output)
    {
        if (items.Length > HistoryLength || longTermWeights.Length != items.Length || sessionWeights.Length != items.Length)
        {
            throw new ArgumentException($"history must have at most {HistoryLength} items with one weight of each kind per item");
        }

        if (output.Length < Dimensions)
        {
            throw new ArgumentException($"output needs {Dimensions} floats", nameof(output));
        }

        if (!_pool.TryTake(out var buffers))
        {
            buffers = new Buffers(HistoryLength, Dimensions, _historyRows is not null);
        }

        try
        {
            buffers.Items.AsSpan().Clear();
            buffers.LongTerm.AsSpan().Clear();
            buffers.Session.AsSpan().Clear();
            for (var i = 0; i < items.Length; i++)
            {
                buffers.Items[i] = items[i];
            }

            longTermWeights.CopyTo(buffers.LongTerm);
            sessionWeights.CopyTo(buffers.Session);
            if (_historyRows is not null)
            {
                // Padding rows stay zero, as row 0 of the table is; the graph masks them out of the pools anyway.
                buffers.Rows.AsSpan().Clear();
                for (var i = 0; i < items.Length; i++)
                {
                    if (items[i] > 0)
                    {
                        _historyRows.Read(items[i], buffers.Rows.AsSpan(i * Dimensions, Dimensions));
                    }
                }
            }

            _session.Run(_runOptions, _historyRows is null ? InputNames : HeadInputNames, buffers.Inputs, OutputNames, buffers.Outputs);
            buffers.Output.AsSpan(0, Dimensions).CopyTo(output);
        }
        finally
        {
            _pool.Add(buffers);
        }
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        while (_pool.TryTake(out var buffers))
        {
            buffers.Dispose();
        }

        _runOptions.Dispose();
        _session.Dispose();
        _historyRows?.Dispose();
    }

    /// <summary>Pinned input and output tensors of batch 1.</summary>
    private sealed class Buffers : IDisposable
    {
        public Buffers(int length, int dimensions, bool withRows)
        {
            Items = new long[length];
            LongTerm = new float[length];
            Session = new float[length];
            Rows = new float[withRows ? length * dimensions : 0];
            Output = new float[dimensions];
            OrtValue[] inputs =
            [
                OrtValue.CreateTensorValueFromMemory(Items, [1, length]),
                OrtValue.CreateTensorValueFromMemory(LongTerm, [1, length]),
                OrtValue.CreateTensorValueFromMemory(Session, [1, length]),
            ];
            Inputs = withRows ? [.. inputs, OrtValue.CreateTensorValueFromMemory(Rows, [1, length, dimensions])] : inputs;
            Outputs = [OrtValue.CreateTensorValueFromMemory(Output, [1, dimensions])];
        }

        public long[] Items { get; }

        public float[] LongTerm { get; }

        public float[] Session { get; }

        public float[] Rows { get; }

        public float[] Output { get; }

        public OrtValue[] Inputs { get; }

        public OrtValue[] Outputs { get; }

        public void Dispose()
        {
            foreach (var value in Inputs.Concat(Outputs))
            {
                value.Dispose();
            }
        }
    }
}
