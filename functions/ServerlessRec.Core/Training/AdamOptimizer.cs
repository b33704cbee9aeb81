using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

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
    private const int PrefetchDistance = 4;
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
        if (gradient.Length < _parameters.Length)
        {
            throw new ArgumentException("the gradient is smaller than the parameters", nameof(gradient));
        }

        Update(0, _parameters.Length, ref MemoryMarshal.GetReference(gradient), new StepConstants(learningRate, weightDecay, t), clearGradient: false);
    }

    /// <summary>Updates the listed rows (of <paramref name="rowSize"/> values) from the matching rows of <paramref name="gradient"/>.</summary>
    public void UpdateRows(ReadOnlySpan<float> gradient, ReadOnlySpan<int> rows, int rowSize, float learningRate, float weightDecay, int t) =>
        UpdateRowsCore(ref MemoryMarshal.GetReference(gradient), gradient.Length, rows, rowSize, new StepConstants(learningRate, weightDecay, t), clearGradient: false);

    /// <summary>
    /// Like <see cref="UpdateRows"/>, with the rows split across threads (rows are independent). When
    /// <paramref name="clearGradient"/> is set, each consumed gradient row is zeroed in the same pass, so the
    /// caller need not revisit the scattered rows before the next batch.
    /// </summary>
    public void UpdateRowsParallel(float[] gradient, int[] rows, int rowCount, int rowSize, float learningRate, float weightDecay, int t, ParallelOptions parallel, bool clearGradient = false)
    {
        var constants = new StepConstants(learningRate, weightDecay, t);
        var threads = Math.Max(1, parallel.MaxDegreeOfParallelism);
        if (threads == 1 || rowCount < 256)
        {
            UpdateRowsCore(ref MemoryMarshal.GetArrayDataReference(gradient), gradient.Length, rows.AsSpan(0, rowCount), rowSize, constants, clearGradient);
            return;
        }

        var chunk = (rowCount + threads - 1) / threads;
        Parallel.For(0, threads, parallel, k =>
        {
            var start = k * chunk;
            var end = Math.Min(rowCount, start + chunk);
            if (start < end)
            {
                UpdateRowsCore(ref MemoryMarshal.GetArrayDataReference(gradient), gradient.Length, rows.AsSpan(start, end - start), rowSize, constants, clearGradient);
            }
        });
    }

    private void UpdateRowsCore(ref float gradient, int gradientLength, ReadOnlySpan<int> rows, int rowSize, in StepConstants constants, bool clearGradient)
    {
        if (gradientLength < _parameters.Length)
        {
            throw new ArgumentException("the gradient is smaller than the parameters", nameof(gradient));
        }

        var tableRows = (uint)(_parameters.Length / rowSize);
        for (var r = 0; r < rows.Length; r++)
        {
            var row = rows[r];
            if ((uint)row >= tableRows)
            {
                throw new ArgumentOutOfRangeException(nameof(rows), row, "row outside the parameter table");
            }

            if (r + PrefetchDistance < rows.Length && (uint)rows[r + PrefetchDistance] < tableRows)
            {
                Prefetch(rows[r + PrefetchDistance] * rowSize, rowSize, ref gradient);
            }

            Update(row * rowSize, rowSize, ref gradient, constants, clearGradient);
        }
    }

    /// <summary>
    /// Touched rows are scattered over tables far larger than the cache, so the four arrays of a row a few
    /// places ahead are requested early; the update itself is a handful of instructions per cache line.
    /// </summary>
    private unsafe void Prefetch(int offset, int count, ref float gradient)
    {
        if (!Sse.IsSupported)
        {
            return;
        }

        for (var i = 0; i < count; i += 16)
        {
            Sse.Prefetch0(Unsafe.AsPointer(ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_parameters), offset + i)));
            Sse.Prefetch0(Unsafe.AsPointer(ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_m), offset + i)));
            Sse.Prefetch0(Unsafe.AsPointer(ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_v), offset + i)));
            Sse.Prefetch0(Unsafe.AsPointer(ref Unsafe.Add(ref gradient, offset + i)));
        }
    }

    /// <summary>
    /// m = β1·m + (1-β1)·g;  v = β2·v + (1-β2)·g²;  p = p·(1 - lr·wd) - step·m / (√v + ε), in one pass:
    /// embedding rows are short, so fusing the passes matters more than vector width.
    /// </summary>
    private void Update(int offset, int count, ref float gradient, in StepConstants constants, bool clearGradient)
    {
        ref var p = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_parameters), offset);
        ref var m = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_m), offset);
        ref var v = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_v), offset);
        ref var g = ref Unsafe.Add(ref gradient, offset);
        var i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            var beta1 = Vector256.Create(Beta1);
            var beta2 = Vector256.Create(Beta2);
            var oneMinusBeta1 = Vector256.Create(1f - Beta1);
            var oneMinusBeta2 = Vector256.Create(1f - Beta2);
            var epsilon = Vector256.Create(Epsilon);
            var decay = Vector256.Create(constants.Decay);
            var minusStep = Vector256.Create(-constants.Step);
            for (; i + 8 <= count; i += 8)
            {
                var gs = Vector256.LoadUnsafe(ref Unsafe.Add(ref g, i));
                if (clearGradient)
                {
                    Vector256<float>.Zero.StoreUnsafe(ref Unsafe.Add(ref g, i));
                }

                var ms = Vector256.MultiplyAddEstimate(Vector256.LoadUnsafe(ref Unsafe.Add(ref m, i)), beta1, gs * oneMinusBeta1);
                var vs = Vector256.MultiplyAddEstimate(Vector256.LoadUnsafe(ref Unsafe.Add(ref v, i)), beta2, gs * gs * oneMinusBeta2);
                var ps = Vector256.LoadUnsafe(ref Unsafe.Add(ref p, i)) * decay;
                ps = Vector256.MultiplyAddEstimate(ms / (Vector256.Sqrt(vs) + epsilon), minusStep, ps);
                ms.StoreUnsafe(ref Unsafe.Add(ref m, i));
                vs.StoreUnsafe(ref Unsafe.Add(ref v, i));
                ps.StoreUnsafe(ref Unsafe.Add(ref p, i));
            }
        }

        for (; i < count; i++)
        {
            var gs = Unsafe.Add(ref g, i);
            if (clearGradient)
            {
                Unsafe.Add(ref g, i) = 0f;
            }

            ref var ms = ref Unsafe.Add(ref m, i);
            ref var vs = ref Unsafe.Add(ref v, i);
            ref var ps = ref Unsafe.Add(ref p, i);
            ms = MathF.FusedMultiplyAdd(ms, Beta1, gs * (1f - Beta1));
            vs = MathF.FusedMultiplyAdd(vs, Beta2, gs * gs * (1f - Beta2));
            ps = MathF.FusedMultiplyAdd(ms / (MathF.Sqrt(vs) + Epsilon), -constants.Step, ps * constants.Decay);
        }
    }

    /// <summary>The per-step scalars of the update, computed once per call rather than once per row.</summary>
    private readonly struct StepConstants(float learningRate, float weightDecay, int t)
    {
        public float Step { get; } = learningRate * MathF.Sqrt(1f - MathF.Pow(Beta2, t)) / (1f - MathF.Pow(Beta1, t));

        public float Decay { get; } = weightDecay > 0f ? 1f - (learningRate * weightDecay) : 1f;
    }
}
