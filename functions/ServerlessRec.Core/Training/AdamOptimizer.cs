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

    private void Update(int offset, int count, ReadOnlySpan<float> gradient, float learningRate, float weightDecay, int t)
    {
        var correction1 = 1f - MathF.Pow(Beta1, t);
        var correction2 = 1f - MathF.Pow(Beta2, t);
        var step = learningRate * MathF.Sqrt(correction2) / correction1;
        var p = _parameters.AsSpan(offset, count);
        var m = _m.AsSpan(offset, count);
        var v = _v.AsSpan(offset, count);
        var g = gradient.Slice(offset, count);
        for (var i = 0; i < count; i++)
        {
            var gi = g[i];
            m[i] = (Beta1 * m[i]) + ((1f - Beta1) * gi);
            v[i] = (Beta2 * v[i]) + ((1f - Beta2) * gi * gi);
            p[i] -= (step * m[i] / (MathF.Sqrt(v[i]) + Epsilon)) + (learningRate * weightDecay * p[i]);
        }
    }
}
