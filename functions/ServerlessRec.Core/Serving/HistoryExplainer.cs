using System.Numerics.Tensors;

namespace ServerlessRec.Serving;

/// <summary>
/// Names the history items behind a recommendation. Each distinct history item gets the vector the user tower gives it
/// alone (its own ONNX run, in the pools it sits in), and its share of the pools; for a recommended item with vector
/// <c>v</c> and score <c>s = u·v</c>, history item <c>i</c> scores <c>rᵢ = uᵢ·v</c>. An item explains the recommendation
/// when <c>rᵢ &gt; 0</c> and <c>rᵢ ≥ </c><see cref="MinRelativeScore"/><c> × s</c> (alone it would rank the item about as
/// well as the whole history does); up to <see cref="MaxItems"/> of them are named, by <c>shareᵢ × rᵢ</c>.
/// </summary>
/// <remarks>
/// The tower is not linear in its pools, so this is an attribution by the tower's own answer to each item, not an exact
/// split of <c>s</c>. It is exact for a one-item history (<c>u₁ = u</c>, so <c>r₁ = s</c>: the item is named for every
/// recommendation it produced) and names no item when only the blend of the history scores the recommendation (the
/// caller then says "similar to your session"). Costs one tower run per distinct history item per explained request.
/// </remarks>
internal sealed class HistoryExplainer
{
    /// <summary>The most history items named per recommendation.</summary>
    public const int MaxItems = 3;

    /// <summary>The fraction of the whole history's score a single item must reach alone to be named.</summary>
    public const float MinRelativeScore = 0.5f;

    private readonly string[] _itemIds;
    private readonly float[] _shares;
    private readonly float[] _vectors;
    private readonly int _dimensions;

    private HistoryExplainer(string[] itemIds, float[] shares, float[] vectors, int dimensions)
    {
        _itemIds = itemIds;
        _shares = shares;
        _vectors = vectors;
        _dimensions = dimensions;
    }

    /// <summary>Computes each distinct history item's share of the pools and its one-item user vector.</summary>
    public static HistoryExplainer Create(ServingModel model, UserHistoryInput history)
    {
        var sumLong = TensorPrimitives.Sum(history.LongTerm.AsSpan(0, history.Count));
        var sumSession = TensorPrimitives.Sum(history.Session.AsSpan(0, history.Count));
        var pools = (sumLong > 0 ? 1 : 0) + (sumSession > 0 ? 1 : 0);
        var order = new List<int>();
        var shares = new Dictionary<int, (float Share, bool InSession)>();
        for (var k = 0; k < history.Count; k++)
        {
            var item = history.Items[k];
            var share = ((sumLong > 0 ? history.LongTerm[k] / sumLong : 0f) + (sumSession > 0 ? history.Session[k] / sumSession : 0f)) / Math.Max(1, pools);
            if (!shares.TryGetValue(item, out var current))
            {
                order.Add(item);
                current = (0f, false);
            }

            shares[item] = (current.Share + share, current.InSession || history.Session[k] > 0f);
        }

        var d = model.Manifest.Dimensions;
        var vectors = new float[order.Count * d];
        for (var i = 0; i < order.Count; i++)
        {
            var (_, inSession) = shares[order[i]];
            model.UserTower.Compute([order[i]], [1f], [inSession ? 1f : 0f], vectors.AsSpan(i * d, d));
        }

        return new HistoryExplainer(
            [.. order.Select(i => history.ItemIds[i])],
            [.. order.Select(i => shares[i].Share)],
            vectors,
            d);
    }

    /// <summary>The history items that explain an item of vector <paramref name="target"/> scored <paramref name="score"/> (empty when none does).</summary>
    public List<string> Explain(ReadOnlySpan<float> target, float score)
    {
        var named = new List<(string ItemId, float Weight)>();
        for (var i = 0; i < _itemIds.Length; i++)
        {
            var alone = TensorPrimitives.Dot(_vectors.AsSpan(i * _dimensions, _dimensions), target);
            if (alone > 0f && alone >= MinRelativeScore * score)
            {
                named.Add((_itemIds[i], _shares[i] * alone));
            }
        }

        return [.. named.OrderByDescending(n => n.Weight).ThenBy(n => n.ItemId, StringComparer.Ordinal).Take(MaxItems).Select(n => n.ItemId)];
    }
}
