using System.Globalization;
using ServerlessRec.Evaluation;
using ServerlessRec.Events;
using ServerlessRec.Pipeline;
using ServerlessRec.Training;

namespace ServerlessRec.Cli.Commands.Simulate;

/// <summary>
/// The closed-loop simulator behind <c>serverlessrec simulate-online</c>. The generator's synthetic users, whose latent
/// tastes are known, are shown ten recommendations on each visit and respond through <see cref="OnlineClickModel"/>; their
/// clicks join the arm's own log, and each night the arm's model is retrained on that log with the real trainer
/// (<see cref="InteractionDatasetBuilder"/>, <see cref="TwoTowerTrainer"/>, <see cref="TwoTowerScorer"/>). Every arm runs its
/// own loop over the same users and visits, so arms differ only by policy. CTR, coverage and Gini are
/// <see cref="OnlineMetricsCalculator"/>'s definitions (CTR@10 = clicks / impressions at positions below 10; Gini over
/// the whole catalog, unexposed items counting 0).
/// </summary>
internal sealed partial class OnlineSimulation
{
    private const int K = 10;
    private const int PoolSize = 100;
    private readonly OnlineSimulationOptions _options;
    private readonly SyntheticLogGenerator _world;
    private readonly OnlineClickModel _clicks = new();
    private readonly List<InteractionEvent> _warm = [];
    private readonly CatalogItem[] _catalog;
    private readonly int[][] _categories;
    private readonly bool[][] _visits;
    private readonly DateTimeOffset _start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public OnlineSimulation(OnlineSimulationOptions options)
    {
        _options = options;
        _world = new SyntheticLogGenerator(new SyntheticLogOptions
        {
            Users = options.Users,
            Items = options.Items,
            Events = (long)options.Users * options.WarmEventsPerUser,
            Seed = options.Seed,
            Start = _start.AddDays(-30),
            Days = 30,
        });
        _catalog = [.. _world.GetCatalog()];
        var categoryIds = new Dictionary<string, int>(StringComparer.Ordinal);
        _categories = [.. _catalog.Select(c => c.Categories.Select(name => categoryIds.TryGetValue(name, out var id) ? id : categoryIds[name] = categoryIds.Count).ToArray())];
        var visits = new Random(options.Seed);
        _visits = [.. Enumerable.Range(0, options.Days).Select(_ => Enumerable.Range(0, options.Users).Select(_ => visits.NextDouble() < options.VisitProbability).ToArray())];
    }

    /// <summary>Generates the history before day 1.</summary>
    public async Task InitialiseAsync(CancellationToken cancellationToken)
    {
        using var lines = new MemoryStream();
        await _world.WriteEventsAsync(lines, cancellationToken: cancellationToken).ConfigureAwait(false);
        lines.Position = 0;
        new EventFileReader(new EventTypeOptions()).Read(lines, "warm.jsonl", EventFileFormat.JsonLines, new ListSink(_warm), cancellationToken);
    }

    /// <summary>Runs one arm's loop for every day; <paramref name="onDay"/> receives each day's metrics.</summary>
    public ArmRun Run(OnlinePolicy policy, int armIndex, Action<int, OnlineArmMetrics>? onDay = null, CancellationToken cancellationToken = default)
    {
        var random = new Random(unchecked((_options.Seed * 7919) + armIndex));
        var log = new List<InteractionEvent>(_warm);
        var excluded = Enumerable.Range(0, _options.Users).Select(_ => new HashSet<int>()).ToArray();
        foreach (var e in _warm)
        {
            excluded[UserIndex(e.UserId)].Add(ItemIndex(e.ItemId));
        }

        var shown = new Dictionary<long, int>();
        var totalExposure = new long[_options.Items];
        var userTraffic = new (long Clicks, long Impressions)[_options.Users];
        var days = new List<OnlineArmMetrics>();
        var scores = new float[_options.Items];
        var order = new int[_options.Items];
        var keys = new float[_options.Items];
        for (var day = 1; day <= _options.Days; day++)
        {
            cancellationToken.ThrowIfCancellationRequested();

            // Night: the model (and the popularity fallback) retrained on everything logged so far.
            var popularity = Popularity(log);
            var model = policy.Kind == OnlinePolicyKind.Popularity ? null : Train(log, policy.Control);
            var exposure = new long[_options.Items];
            long clicks = 0, impressions = 0;
            var dayStart = _start.AddDays(day - 1);
            for (var u = 0; u < _options.Users; u++)
            {
                if (!_visits[day - 1][u])
                {
                    continue;
                }

                if (model is null || !model.Score(u, scores))
                {
                    popularity.CopyTo(scores, 0);
                }

                var list = Choose(policy, scores, excluded[u], order, keys, random);
                for (var p = 0; p < list.Count; p++)
                {
                    var item = list[p];
                    var key = ((long)u * _options.Items) + item;
                    var before = shown.GetValueOrDefault(key);
                    shown[key] = before + 1;
                    exposure[item]++;
                    impressions++;
                    userTraffic[u].Impressions++;
                    if (random.NextDouble() < Math.Min(1, _clicks.Probability(_world.TrueAffinity(u, item), p, before)))
                    {
                        clicks++;
                        userTraffic[u].Clicks++;
                        excluded[u].Add(item);
                        log.Add(new InteractionEvent(UserId(u), _catalog[item].ItemId, "click", dayStart.AddSeconds(u + (p * 0.001)), RecommendationId: null, Position: p));
                    }
                }
            }

            for (var i = 0; i < exposure.Length; i++)
            {
                totalExposure[i] += exposure[i];
            }

            var metrics = Metrics(exposure, clicks, impressions);
            days.Add(metrics);
            onDay?.Invoke(day, metrics);
        }

        return new ArmRun(days, Metrics(totalExposure, userTraffic.Sum(t => t.Clicks), userTraffic.Sum(t => t.Impressions)));
    }

    private OnlineArmMetrics Metrics(long[] exposure, long clicks, long impressions) => new(
        impressions == 0 ? 0 : (double)clicks / impressions,
        OnlineMetricsCalculator.Gini(exposure.Where(x => x > 0), _options.Items),
        (double)exposure.Count(x => x > 0) / _options.Items,
        impressions,
        clicks);

    /// <summary>Ten items for a user: the best-scored available unseen items, reranked by the policy.</summary>
    private List<int> Choose(OnlinePolicy policy, float[] scores, HashSet<int> excluded, int[] order, float[] keys, Random random)
    {
        var n = 0;
        for (var i = 0; i < scores.Length; i++)
        {
            if (_catalog[i].Available && !excluded.Contains(i))
            {
                order[n] = i;
                keys[n] = -scores[i];
                n++;
            }
        }

        Array.Sort(keys, order, 0, n);
        var pool = Math.Min(n, PoolSize);
        var list = policy.Diversity > 0 ? Diversify(order.AsSpan(0, pool), keys.AsSpan(0, pool), policy.Diversity) : [.. order.AsSpan(0, Math.Min(K, pool))];
        if (policy.Exploration > 0 && pool > K)
        {
            // Exploration: each slot, with probability ε, goes to an item drawn uniformly from ranks 10–99 instead.
            for (var p = 0; p < list.Count; p++)
            {
                if (random.NextDouble() < policy.Exploration)
                {
                    var candidate = order[K + random.Next(pool - K)];
                    if (!list.Contains(candidate))
                    {
                        list[p] = candidate;
                    }
                }
            }
        }

        return list;
    }

    /// <summary>MMR over categories: each slot takes the candidate maximising (1 − λ)·relevance − λ·[shares a category with a chosen item].</summary>
    private List<int> Diversify(ReadOnlySpan<int> candidates, ReadOnlySpan<float> negativeScores, double lambda)
    {
        var best = -negativeScores[0];
        var worst = -negativeScores[^1];
        var span = Math.Max(1e-9, best - worst);
        var chosen = new List<int>(K);
        var used = new bool[candidates.Length];
        var chosenCategories = new HashSet<int>();
        while (chosen.Count < Math.Min(K, candidates.Length))
        {
            var pick = -1;
            var pickValue = double.NegativeInfinity;
            for (var c = 0; c < candidates.Length; c++)
            {
                if (used[c])
                {
                    continue;
                }

                var relevance = (-negativeScores[c] - worst) / span;
                var overlap = _categories[candidates[c]].Any(chosenCategories.Contains) ? 1 : 0;
                var value = ((1 - lambda) * relevance) - (lambda * overlap);
                if (value > pickValue)
                {
                    pick = c;
                    pickValue = value;
                }
            }

            used[pick] = true;
            chosen.Add(candidates[pick]);
            chosenCategories.UnionWith(_categories[candidates[pick]]);
        }

        return chosen;
    }

    private float[] Popularity(List<InteractionEvent> log)
    {
        var counts = new float[_options.Items];
        foreach (var e in log)
        {
            if (e.Type is not ("skip" or "dislike"))
            {
                counts[ItemIndex(e.ItemId)]++;
            }
        }

        return counts;
    }

    private TrainedModel Train(List<InteractionEvent> log, TwoTowerOptions options)
    {
        var builder = new InteractionDatasetBuilder(new EventTypeOptions(), options.FeatureBuckets);
        foreach (var e in log)
        {
            builder.Add(e);
        }

        foreach (var item in _catalog)
        {
            builder.AddItemFeatures(item.ItemId, item.Categories, item.Tags, item.Available);
        }

        var data = builder.Build();
        var ends = new int[data.UserCount];
        for (var u = 0; u < ends.Length; u++)
        {
            ends[u] = data.UserOffsets[u + 1] - data.UserOffsets[u];
        }

        var result = new TwoTowerTrainer(options).Train(data, ends);
        return new TrainedModel(data, result.Model, options);
    }

    private static string UserId(int user) => string.Create(CultureInfo.InvariantCulture, $"u{user + 1}");

    private static int UserIndex(string userId) => int.Parse(userId.AsSpan(1), CultureInfo.InvariantCulture) - 1;

    private static int ItemIndex(string itemId) => int.Parse(itemId.AsSpan(1), CultureInfo.InvariantCulture) - 1;

    /// <summary>A night's model: scores the world's items for a world user.</summary>
    private sealed class TrainedModel
    {
        private readonly InteractionDataset _data;
        private readonly IRankingScorerSession _session;
        private readonly Dictionary<string, int> _users;
        private readonly int[] _worldItemOfRow;
        private readonly float[] _rowScores;

        public TrainedModel(InteractionDataset data, TwoTowerModel model, TwoTowerOptions options)
        {
            _data = data;
            Data = data;
            Model = model;
            Options = options;
            _session = new TwoTowerScorer(model, data, options).CreateSession();
            _users = new Dictionary<string, int>(StringComparer.Ordinal);
            for (var u = 0; u < data.UserCount; u++)
            {
                _users[data.UserIds[u]] = u;
            }

            _worldItemOfRow = [.. data.ItemIds.Select((id, row) => row == 0 ? -1 : ItemIndex(id))];
            _rowScores = new float[data.ItemIds.Count];
        }

        /// <summary>Gets the dataset it was trained on (what an export needs).</summary>
        public InteractionDataset Data { get; }

        /// <summary>Gets the trained model.</summary>
        public TwoTowerModel Model { get; }

        /// <summary>Gets the configuration it was trained with.</summary>
        public TwoTowerOptions Options { get; }

        /// <summary>Fills <paramref name="scores"/> (world item order); false when the model does not know the user.</summary>
        public bool Score(int user, float[] scores)
        {
            if (!_users.TryGetValue(UserId(user), out var u) || _data.UserOffsets[u + 1] == _data.UserOffsets[u])
            {
                return false;
            }

            _session.Score(_data.UserOffsets[u], _data.UserOffsets[u + 1], _rowScores);
            scores.AsSpan().Fill(float.NegativeInfinity);
            for (var row = 1; row < _rowScores.Length; row++)
            {
                if (_worldItemOfRow[row] is var item and >= 0 && item < scores.Length)
                {
                    scores[item] = _rowScores[row];
                }
            }

            return true;
        }
    }

    private sealed class ListSink(List<InteractionEvent> events) : IEventSink
    {
        public void OnEvent(in InteractionEvent e) => events.Add(e);

        public void OnRejected(RejectedLine line)
        {
        }
    }
}
