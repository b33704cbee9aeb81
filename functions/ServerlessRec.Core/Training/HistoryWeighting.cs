using System.Numerics.Tensors;

namespace ServerlessRec.Training;

/// <summary>
/// Turns a user's history (oldest first) into the two pooling weights the user tower reads: the
/// long-term pool (event weight × time decay) and the short-term pool (the current session, weighted by position). Training
/// and serving both call this, so a user's vector is computed the same way in both.
/// </summary>
public sealed class HistoryWeighting
{
    private const int MaxStackHistory = 512;
    private readonly double _decayPerSecond;
    private readonly long _sessionGapSeconds;
    private readonly int _sessionMaxEvents;
    private readonly float _sessionPositionDecay;

    /// <summary>Creates the weighting for the given options.</summary>
    public HistoryWeighting(TwoTowerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _decayPerSecond = Math.Log(2.0) / (options.DecayHalfLifeDays * 86400.0);
        _sessionGapSeconds = (long)Math.Round(options.SessionGapMinutes * 60.0);
        _sessionMaxEvents = options.SessionMaxEvents;
        _sessionPositionDecay = (float)options.SessionPositionDecay;
        HistoryLength = options.HistoryLength;
    }

    /// <summary>Gets the maximum number of history events the user tower reads.</summary>
    public int HistoryLength { get; }

    /// <summary>
    /// Computes both weights for a history whose events are ordered oldest first. Events of weight 0
    /// (negatives) get 0 in both pools. Decay is relative to the newest event: the pools are weighted
    /// means, so any common reference time gives the same vector.
    /// </summary>
    public void Compute(ReadOnlySpan<long> times, ReadOnlySpan<float> eventWeights, Span<float> longTermWeights, Span<float> sessionWeights)
    {
        var n = times.Length;
        if (eventWeights.Length != n || longTermWeights.Length < n || sessionWeights.Length < n)
        {
            throw new ArgumentException("history spans must have matching lengths");
        }

        longTermWeights[..n].Clear();
        sessionWeights[..n].Clear();
        if (n == 0)
        {
            return;
        }

        // Decay factors exp(-λ·age) in double, vectorised: this runs once per training example.
        var newest = times[n - 1];
        Span<double> decay = n <= MaxStackHistory ? stackalloc double[n] : new double[n];
        for (var i = 0; i < n; i++)
        {
            decay[i] = -_decayPerSecond * Math.Max(0L, newest - times[i]);
        }

        TensorPrimitives.Exp(decay, decay);
        for (var i = 0; i < n; i++)
        {
            longTermWeights[i] = eventWeights[i] * (float)decay[i];
        }

        var inSession = 0;
        var position = 1f;
        for (var i = n - 1; i >= 0 && inSession < _sessionMaxEvents; i--)
        {
            if (i < n - 1 && times[i + 1] - times[i] > _sessionGapSeconds)
            {
                break;
            }

            if (eventWeights[i] > 0f)
            {
                sessionWeights[i] = eventWeights[i] * position;
                position *= _sessionPositionDecay;
                inSession++;
            }
        }
    }
}
