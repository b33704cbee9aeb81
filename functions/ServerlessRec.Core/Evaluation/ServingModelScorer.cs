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
        private readonly int[] _items = new int[owner._model.Window.Length];
        private readonly float[] _long = new float[owner._model.Window.Length];
        private readonly float[] _session = new float[owner._model.Window.Length];
        private readonly float[] _user = new float[owner._model.Manifest.Dimensions];

        public void Score(int userStart, int historyEnd, Span<float> scores)
        {
            var events = HistoryEvents.Of(owner._data, userStart, historyEnd) with { ItemMap = owner._liveIndex };
            var n = owner._model.Window.Fill(events, _items, _long, _session);
            owner._model.UserTower.Compute(_items.AsSpan(0, n), _long.AsSpan(0, n), _session.AsSpan(0, n), _user);
            for (var i = 0; i < scores.Length; i++)
            {
                var live = owner._liveIndex[i];
                scores[i] = live > 0 ? TensorPrimitives.Dot(owner._model.VectorOf(live), _user) : float.NegativeInfinity;
            }
        }
    }
}
