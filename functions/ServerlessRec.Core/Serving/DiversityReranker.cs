using System.Numerics.Tensors;
using ServerlessRec.Retrieval;

namespace ServerlessRec.Serving;

/// <summary>
/// Maximal marginal relevance: picks items one by one maximising λ·relevance − (1 − λ)·(max similarity to the
/// items already picked), so a single taste cannot fill the whole list. Relevance is rescaled to [0, 1] over the
/// candidate pool (scores of the top candidates span a narrow range, item similarities a wide one), and
/// λ = 1 − diversity/2, so diversity 1 weighs relevance and novelty equally.
/// </summary>
internal static class DiversityReranker
{
    public static List<ScoredItem> Rerank(ServingModel model, IReadOnlyList<ScoredItem> pool, int k, double diversity, Catalog.CatalogOverlay? overlay = null)
    {
        var lambda = 1.0 - (diversity / 2);
        var remaining = pool.ToList();
        var top = remaining.Count == 0 ? 0f : remaining.Max(r => r.Score);
        var bottom = remaining.Count == 0 ? 0f : remaining.Min(r => r.Score);
        var range = Math.Max(top - bottom, 1e-6f);
        var chosen = new List<ScoredItem>(k);
        var maxSimilarity = new float[remaining.Count];
        Array.Fill(maxSimilarity, float.NegativeInfinity);
        var active = Enumerable.Repeat(true, remaining.Count).ToArray();

        // The pool's vectors once (50-odd rows), whether the model holds them in memory or reads them from a file.
        var d = model.Manifest.Dimensions;
        var vectors = new float[remaining.Count * d];
        for (var j = 0; j < remaining.Count; j++)
        {
            RecommenderService.TryReadVector(model, overlay ?? Catalog.CatalogOverlay.Empty, remaining[j].ItemId, vectors.AsSpan(j * d, d));
        }

        while (chosen.Count < k && chosen.Count < remaining.Count)
        {
            var best = -1;
            var bestValue = double.NegativeInfinity;
            for (var j = 0; j < remaining.Count; j++)
            {
                if (!active[j])
                {
                    continue;
                }

                var redundancy = chosen.Count == 0 ? 0f : maxSimilarity[j];
                var value = (lambda * (remaining[j].Score - bottom) / range) - ((1 - lambda) * redundancy);
                if (value > bestValue)
                {
                    bestValue = value;
                    best = j;
                }
            }

            active[best] = false;
            chosen.Add(remaining[best]);
            var picked = vectors.AsSpan(best * d, d);
            for (var j = 0; j < remaining.Count; j++)
            {
                if (active[j])
                {
                    var similarity = TensorPrimitives.Dot(vectors.AsSpan(j * d, d), picked);
                    maxSimilarity[j] = MathF.Max(maxSimilarity[j], similarity);
                }
            }
        }

        return chosen;
    }
}
