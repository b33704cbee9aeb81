using System.Numerics.Tensors;
using ServerlessRec.Training;

namespace ServerlessRec.Evaluation;

/// <summary>Scores items with a trained two-tower model: the user's vector against every item vector.</summary>
public sealed class TwoTowerScorer : IRankingScorer
{
    private readonly TwoTowerModel _model;
    private readonly InteractionDataset _data;
    private readonly HistoryWindow _window;
    private readonly float[] _itemVectors;

    /// <summary>Creates a scorer; item vectors are computed once here.</summary>
    public TwoTowerScorer(TwoTowerModel model, InteractionDataset data, TwoTowerOptions options)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(data);
        _model = model;
        _data = data;
        _window = new HistoryWindow(options);
        _itemVectors = model.ItemVectors(data);
    }

    /// <inheritdoc/>
    public IRankingScorerSession CreateSession() => new Session(this);

    private sealed class Session(TwoTowerScorer owner) : IRankingScorerSession
    {
        private readonly int[] _items = new int[owner._window.Length];
        private readonly float[] _long = new float[owner._window.Length];
        private readonly float[] _session = new float[owner._window.Length];
        private readonly float[] _user = new float[owner._model.Dimensions];
        private readonly float[] _scratch = new float[owner._model.UserScratchSize];

        public void Score(int userStart, int historyEnd, Span<float> scores)
        {
            var n = owner._window.Fill(HistoryEvents.Of(owner._data, userStart, historyEnd), _items, _long, _session);
            owner._model.UserVector(_items.AsSpan(0, n), _long.AsSpan(0, n), _session.AsSpan(0, n), _user, _scratch);
            var d = owner._model.Dimensions;
            var vectors = owner._itemVectors;
            for (var i = 0; i < scores.Length; i++)
            {
                scores[i] = TensorPrimitives.Dot(vectors.AsSpan(i * d, d), _user);
            }
        }
    }
}
