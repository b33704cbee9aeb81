using ServerlessRec.Events;
using ServerlessRec.Serving;

namespace ServerlessRec.Pipeline;

/// <summary>
/// Computes the online metrics from what was shown and what followed, both attributed by <c>recommendationId</c>.
/// </summary>
/// <remarks>
/// <para>What was shown: a response's client-sent <c>impression</c> events when there are any (what the user actually
/// saw), else the server's record of the whole list (<see cref="ImpressionRecord"/>). A group comes from the server's
/// record; client impressions of a response the server did not log go to the <see cref="Unknown"/> group.</para>
/// <para>CTR@10 = attributed clicks at positions below 10 / impressions at positions below 10, a click counted once per
/// (response, position), its position taken from the event or else from where its item was shown. Conversions are
/// distinct (response, item) pairs with a conversion event. Events whose response showed nothing count as unattributed.</para>
/// </remarks>
public static class OnlineMetricsCalculator
{
    /// <summary>The cut-off of the click-through rate.</summary>
    public const int K = 10;

    /// <summary>The model version, arm and source of impressions no server record explains.</summary>
    public const string Unknown = "unknown";

    /// <summary>The event types that count as clicks.</summary>
    public static readonly IReadOnlySet<string> ClickTypes = new HashSet<string>(["click"], StringComparer.OrdinalIgnoreCase);

    /// <summary>The event types that count as conversions.</summary>
    public static readonly IReadOnlySet<string> ConversionTypes = new HashSet<string>(["purchase", "like"], StringComparer.OrdinalIgnoreCase);

    /// <summary>Computes the groups.</summary>
    /// <param name="served">The server's records of the window.</param>
    /// <param name="events">The window's events that carry a <c>recommendationId</c> (others are ignored).</param>
    /// <param name="types">The event types (which are exposure types).</param>
    /// <param name="catalogOf">A model version's catalog; <see langword="null"/> when unknown (the exposed items are then the catalog).</param>
    /// <param name="unattributed">Events with a <c>recommendationId</c> that showed nothing.</param>
    public static IReadOnlyList<OnlineMetricsRow> Compute(IEnumerable<ImpressionRecord> served, IEnumerable<InteractionEvent> events, EventTypeOptions types, Func<string, OnlineCatalog?> catalogOf, out long unattributed)
    {
        ArgumentNullException.ThrowIfNull(served);
        ArgumentNullException.ThrowIfNull(events);
        ArgumentNullException.ThrowIfNull(types);
        ArgumentNullException.ThrowIfNull(catalogOf);

        var records = new Dictionary<string, ImpressionRecord>(StringComparer.Ordinal);
        foreach (var record in served)
        {
            records.TryAdd(record.RecommendationId, record);
        }

        var attributed = events.Where(e => e.RecommendationId is not null).ToList();

        // Client impressions per response: position → item (a retried post repeats them; each position counts once).
        var clientShown = new Dictionary<string, Dictionary<int, string>>(StringComparer.Ordinal);
        foreach (var e in attributed.Where(e => types.IsExposure(e.Type)))
        {
            var shown = clientShown.TryGetValue(e.RecommendationId!, out var found) ? found : clientShown[e.RecommendationId!] = [];
            var position = e.Position ?? (records.TryGetValue(e.RecommendationId!, out var record) ? IndexOf(record.ItemIds, e.ItemId) : -1);
            // An impression whose position is unknown still counts as exposure, at a negative key of its own.
            shown.TryAdd(position >= 0 ? position : -1 - shown.Count(p => p.Key < 0), e.ItemId);
        }

        var exposures = new Dictionary<string, (string Group, Dictionary<int, string> Shown)>(StringComparer.Ordinal);
        foreach (var (id, record) in records)
        {
            var shown = clientShown.TryGetValue(id, out var client) ? client : record.ItemIds.Select((item, i) => (item, i)).ToDictionary(x => x.i, x => x.item);
            exposures[id] = (Key(record.ModelVersion, record.Arm, record.Source), shown);
        }

        foreach (var (id, shown) in clientShown.Where(c => !records.ContainsKey(c.Key)))
        {
            exposures[id] = (Key(Unknown, Unknown, Unknown), shown);
        }

        var clicked = new HashSet<(string, int)>();
        var converted = new HashSet<(string, string)>();
        unattributed = 0;
        foreach (var e in attributed.Where(e => !types.IsExposure(e.Type)))
        {
            if (!exposures.TryGetValue(e.RecommendationId!, out var exposure))
            {
                unattributed++;
                continue;
            }

            if (ClickTypes.Contains(e.Type))
            {
                var position = e.Position ?? exposure.Shown.FirstOrDefault(s => s.Key >= 0 && s.Value == e.ItemId, new(-1, string.Empty)).Key;
                if (position is >= 0 and < K && exposure.Shown.ContainsKey(position))
                {
                    clicked.Add((e.RecommendationId!, position));
                }
            }
            else if (ConversionTypes.Contains(e.Type))
            {
                converted.Add((e.RecommendationId!, e.ItemId));
            }
        }

        var rows = new List<OnlineMetricsRow>();
        foreach (var group in exposures.GroupBy(x => x.Value.Group, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var parts = group.Key.Split('\n');
            var catalog = catalogOf(parts[0]);
            var counts = new Dictionary<string, long>(StringComparer.Ordinal);
            long impressions = 0, atK = 0, clicks = 0, conversions = 0;
            double popularity = 0;
            foreach (var (id, (_, shown)) in group)
            {
                foreach (var (position, item) in shown)
                {
                    impressions++;
                    counts[item] = counts.GetValueOrDefault(item) + 1;
                    popularity += catalog?.Popularity.GetValueOrDefault(item) ?? 0;
                    if (position is >= 0 and < K)
                    {
                        atK++;
                        clicks += clicked.Contains((id, position)) ? 1 : 0;
                    }
                }

                conversions += shown.Values.Distinct(StringComparer.Ordinal).Count(item => converted.Contains((id, item)));
            }

            var catalogItems = (catalog?.ItemCount ?? 0) + counts.Keys.Count(item => catalog is null || !catalog.Popularity.ContainsKey(item));
            rows.Add(new OnlineMetricsRow(parts[0], parts[1], parts[2])
            {
                Recommendations = group.Count(),
                Impressions = impressions,
                ImpressionsAt10 = atK,
                ClicksAt10 = clicks,
                CtrAt10 = atK == 0 ? 0 : (double)clicks / atK,
                Conversions = conversions,
                ExposedItems = counts.Count,
                CatalogItems = catalogItems,
                Coverage = catalogItems == 0 ? 0 : (double)counts.Count / catalogItems,
                ExposureGini = Gini(counts.Values, catalogItems),
                MeanPopularity = impressions == 0 ? 0 : popularity / impressions,
            });
        }

        return rows;
    }

    /// <summary>
    /// The Gini coefficient of non-negative counts over <paramref name="population"/> members, those not listed counting 0:
    /// G = 2 Σ i·x₍ᵢ₎ / (n Σ x) − (n + 1) / n over the counts sorted ascending (i from 1). 0 when every member has the same
    /// count; (n − 1) / n when one member has everything.
    /// </summary>
    public static double Gini(IEnumerable<long> counts, int population)
    {
        ArgumentNullException.ThrowIfNull(counts);
        var sorted = counts.Where(c => c > 0).Order().ToList();
        var n = Math.Max(population, sorted.Count);
        var total = sorted.Sum();
        if (n == 0 || total == 0)
        {
            return 0;
        }

        // The zeros take ranks 1..(n − listed); the listed counts the top ranks.
        var offset = n - sorted.Count;
        double weighted = 0;
        for (var i = 0; i < sorted.Count; i++)
        {
            weighted += (double)(offset + i + 1) * sorted[i];
        }

        return (2 * weighted / ((double)n * total)) - ((n + 1.0) / n);
    }

    private static string Key(string version, string arm, string source) => $"{version}\n{arm}\n{source}";

    private static int IndexOf(IReadOnlyList<string> items, string itemId)
    {
        for (var i = 0; i < items.Count; i++)
        {
            if (string.Equals(items[i], itemId, StringComparison.Ordinal))
            {
                return i;
            }
        }

        return -1;
    }
}
