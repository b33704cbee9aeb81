using System.Numerics.Tensors;

namespace ServerlessRec.Training;

/// <summary>
/// Adam for one parameter tensor, with a dense update and a lazy row-sparse update for embedding tables
/// (only rows a batch touched move, as in LazyAdam), and optional decoupled weight decay.
/// </summary>
internal sealed class AdamOptimizer
{
    private const float Beta1 = 0.9f;
    private const float Beta2 = 0.999f;
    private const float Epsilon = 1e-8f;
    private readonly float[] _parameters;
    private readonly float[] _m;
    private readonly float[] _v;

    public AdamOptimizer(float[] parameters)
    {
        _parameters = parameters;
        _m = new float[parameters.Length];
        _v = new float[parameters.Length];
    }

    /// <summary>Updates every parameter from <paramref name="gradient"/> (step <paramref name="t"/> ≥ 1).</summary>
    public void UpdateDense(ReadOnlySpan<float> gradient, float learningRate, float weightDecay, int t)
    {
        Update(0, _parameters.Length, gradient, learningRate, weightDecay, t);
    }

    /// <summary>Updates the listed rows (of <paramref name="rowSize"/> values) from the matching rows of <paramref name="gradient"/>.</summary>
    public void UpdateRows(ReadOnlySpan<float> gradient, ReadOnlySpan<int> rows, int rowSize, float learningRate, float weightDecay, int t)
    {
        foreach (var row in rows)
        {
            Update(row * rowSize, rowSize, gradient, learningRate, weightDecay, t);
        }
    }

    /// <summary>Like <see cref="UpdateRows"/>, with the rows split across threads (rows are independent).</summary>
    public void UpdateRowsParallel(float[] gradient, int[] rows, int rowCount, int rowSize, float learningRate, float weightDecay, int t, ParallelOptions parallel)
    {
        var threads = Math.Max(1, parallel.MaxDegreeOfParallelism);
        if (threads == 1 || rowCount < 256)
        {
            UpdateRows(gradient, rows.AsSpan(0, rowCount), rowSize, learningRate, weightDecay, t);
            return;
        }

        var chunk = (rowCount + threads - 1) / threads;
        Parallel.For(0, threads, parallel, k =>
        {
            var start = k * chunk;
            var end = Math.Min(rowCount, start + chunk);
            if (start < end)
            {
                UpdateRows(gradient, rows.AsSpan(start, end - start), rowSize, learningRate, weightDecay, t);
            }
        });
    }

    private void Update(int offset, int count, ReadOnlySpan<float> gradient, float learningRate, float weightDecay, int t)
    {
        var correction1 = 1f - MathF.Pow(Beta1, t);
        var correction2 = 1f - MathF.Pow(Beta2, t);
        var step = learningRate * MathF.Sqrt(correction2) / correction1;
        var p = _parameters.AsSpan(offset, count);
        var m = _m.AsSpan(offset, count);
        var v = _v.AsSpan(offset, count);
        var g = gradient.Slice(offset, count);
        Span<float> buffer = stackalloc float[Math.Min(count, 256)];
        for (var start = 0; start < count; start += buffer.Length)
        {
            var n = Math.Min(buffer.Length, count - start);
            var tmp = buffer[..n];
            var gs = g.Slice(start, n);
            var ms = m.Slice(start, n);
            var vs = v.Slice(start, n);
            var ps = p.Slice(start, n);

            // m = β1·m + (1-β1)·g;  v = β2·v + (1-β2)·g²;  p -= step·m / (√v + ε) + lr·wd·p
            TensorPrimitives.Multiply(gs, 1f - Beta1, tmp);
            TensorPrimitives.MultiplyAdd(ms, Beta1, tmp, ms);
            TensorPrimitives.Multiply(gs, gs, tmp);
            TensorPrimitives.Multiply(tmp, 1f - Beta2, tmp);
            TensorPrimitives.MultiplyAdd(vs, Beta2, tmp, vs);
            if (weightDecay > 0f)
            {
                TensorPrimitives.Multiply(ps, 1f - (learningRate * weightDecay), ps);
            }

            TensorPrimitives.Sqrt(vs, tmp);
            TensorPrimitives.Add(tmp, Epsilon, tmp);
            TensorPrimitives.Divide(ms, tmp, tmp);
            TensorPrimitives.MultiplyAdd(tmp, -step, ps, ps);
        }
    }
}
