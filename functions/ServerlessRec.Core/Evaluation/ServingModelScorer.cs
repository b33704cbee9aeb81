using System.Numerics.Tensors;
using ServerlessRec.Serving;
using ServerlessRec.Training;

namespace ServerlessRec.Evaluation;

/// <summary>
/// Scores a dataset's items with a published model (its ONNX user tower and item vectors), so the promotion
/// gate compares the live model and a candidate on the same held-out events. Items the live model does not
/// know score −∞; history items it does not know are left out of the user's history, as in serving.
/// </summary>
public sealed class ServingModelScorer : IRankingScorer
{
    private readonly ServingModel _model;
    private readonly InteractionDataset _data;
    private readonly int[] _liveIndex;

    /// <summary>Creates the scorer.</summary>
    public ServingModelScorer(ServingModel model, InteractionDataset data)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(data);
        _model = model;
        _data = data;
        _liveIndex = new int[data.ItemIds.Count];
        for (var i = 1; i < data.ItemIds.Count; i++)
        {
            _liveIndex[i] = model.IndexOf(data.ItemIds[i]);
        }
    }

    /// <inheritdoc/>
    public IRankingScorerSession CreateSession() => new Session(this);

    private sealed class Session(ServingModelScorer owner) : IRankingScorerSession
    {
        private readonly int _l = owner._model.Manifest.HistoryLength;
        private readonly float[] _user = new float[owner._model.Manifest.Dimensions];

        public void Score(int userStart, int historyEnd, Span<float> scores)
        {
            var data = owner._data;
            var items = new List<int>();
            var times = new List<long>();
            var weights = new List<float>();
            for (var e = historyEnd - 1; e >= userStart && items.Count < _l; e--)
            {
                var live = owner._liveIndex[data.EventItems[e]];
                if (!data.IsNegative[e] && data.EventWeights[e] > 0f && live > 0)
                {
                    items.Add(live);
                    times.Add(data.EventTimes[e]);
                    weights.Add(data.EventWeights[e]);
                }
            }

            items.Reverse();
            times.Reverse();
            weights.Reverse();
            var longTerm = new float[items.Count];
            var session = new float[items.Count];
            owner._model.Weighting.Compute(times.ToArray(), weights.ToArray(), longTerm, session);
            owner._model.UserTower.Compute(items.ToArray(), longTerm, session, _user);
            for (var i = 0; i < scores.Length; i++)
            {
                var live = owner._liveIndex[i];
                scores[i] = live > 0 ? TensorPrimitives.Dot(owner._model.VectorOf(live), _user) : float.NegativeInfinity;
            }
        }
    }
}
