using Microsoft.Extensions.Time.Testing;
using ServerlessRec.Events;
using ServerlessRec.Onnx;
using ServerlessRec.Pipeline;
using ServerlessRec.Retrieval;
using ServerlessRec.Serving;
using ServerlessRec.Storage;

namespace ServerlessRec.Cli.Commands.Simulate;

/// <summary>The served A/B: both configurations retrained each night and served through <see cref="RecommenderService"/>.</summary>
internal sealed partial class OnlineSimulation
{
    /// <summary>
    /// Runs an A/B through the real serving path for every day: each night both configurations are retrained on the
    /// shared click log and exported (<see cref="ModelExporter"/>) to a store of their own; the control is activated
    /// (<see cref="ModelActivation"/>) and the challenger started at <see cref="OnlineSimulationOptions.ChallengerShare"/>
    /// (<see cref="ModelAdministration.ChallengeAsync"/>: <c>models/challenger.json</c>); each visiting user's request
    /// goes to <see cref="RecommenderService.RecommendAsync"/>, whose keyed bucket picks the arm, and the user's clicks
    /// carry the response's recommendation id into the log and the user's stored history (<see cref="UserHistoryStore"/>,
    /// kept in memory: see <see cref="MemoryBlobStore"/>). The verdict is
    /// <see cref="AbVerdict"/> on the traffic each response's <c>arm</c> names. The true lift is measured from the known
    /// affinities, paired: at every visit both configurations' lists are ranked (the in-process scorer of the same
    /// trained models) and their expected clicks under <see cref="OnlineClickModel"/> summed, whichever arm served.
    /// </summary>
    public async Task<ServedAbRun> RunServedAbAsync(AbSpec spec, int runIndex, Action<int, string>? onDay = null, CancellationToken cancellationToken = default)
    {
        var root = Path.Combine(Path.GetTempPath(), "serverlessrec-simulate-online-" + Guid.NewGuid().ToString("N"));
        try
        {
            var store = new LocalFolderBlobStore(new StorageOptions { LocalRoot = root });
            var clock = new FakeTimeProvider(_start.AddHours(-1));
            // The bucket's key comes from the seed, so a run is reproducible; serving reads it like any key.
            var histories = new UserHistoryStore(new MemoryBlobStore(), hashers: new UserIdHasherProvider(Hasher(_options.Seed)));
            var setup = System.Diagnostics.Stopwatch.StartNew();
            foreach (var user in _warm.GroupBy(e => e.UserId, StringComparer.Ordinal))
            {
                await histories.AppendAsync(user.Key, [.. user.Select(e => new HistoryEvent { ItemId = e.ItemId, Type = e.Type, Timestamp = e.Timestamp, Value = e.Value })], cancellationToken).ConfigureAwait(false);
            }

            onDay?.Invoke(0, FormattableString.Invariant($"stored {_warm.Count:N0} history events in {setup.Elapsed.TotalSeconds:F1} s"));

            // The pointers are re-read at most hourly; the night's activation is hours after the last request of the day.
            using var provider = new LiveModelProvider(store, clock, TimeSpan.FromHours(1));
            var service = new RecommenderService(provider, histories, clock);
            var administration = new ModelAdministration(store, new EmbeddedModelIndexVerifier(store), clock);
            var random = new Random(unchecked((_options.Seed * 7919) + 1000 + runIndex));
            var log = new List<InteractionEvent>(_warm);
            var excluded = Enumerable.Range(0, _options.Users).Select(_ => new HashSet<int>()).ToArray();
            foreach (var e in _warm)
            {
                excluded[UserIndex(e.UserId)].Add(ItemIndex(e.ItemId));
            }

            var shown = new Dictionary<long, int>();
            var traffic = new (long Clicks, long Impressions)[_options.Users];
            var arms = new string?[_options.Users];
            var scores = new float[_options.Items];
            var order = new int[_options.Items];
            var keys = new float[_options.Items];
            var plain = new OnlinePolicy("plain", OnlinePolicyKind.TwoTower, spec.Control);
            double expectedControl = 0, expectedChallenger = 0;
            long requests = 0, matching = 0;
            var clicks = new List<HistoryEvent>();
            for (var day = 1; day <= _options.Days; day++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var dayStart = _start.AddDays(day - 1);
                clock.SetUtcNow(dayStart);
                var watch = System.Diagnostics.Stopwatch.StartNew();
                var control = Train(log, spec.Control);
                // Identical configurations train identically (one seed, one log): one model, published as both versions.
                var challenger = ReferenceEquals(spec.Control, spec.Challenger) ? control : Train(log, spec.Challenger);
                var trained = watch.Elapsed;
                var controlVersion = FormattableString.Invariant($"d{day:D3}-control");
                var challengerVersion = FormattableString.Invariant($"d{day:D3}-challenger");
                await ModelExporter.Export(control.Model, control.Data, control.Options, new EventTypeOptions(), controlVersion, dayStart).WriteAsync(store, cancellationToken: cancellationToken).ConfigureAwait(false);
                await ModelExporter.Export(challenger.Model, challenger.Data, challenger.Options, new EventTypeOptions(), challengerVersion, dayStart).WriteAsync(store, cancellationToken: cancellationToken).ConfigureAwait(false);
                await ModelActivation.ActivateAsync(store, controlVersion, dayStart, cancellationToken).ConfigureAwait(false);
                await administration.ChallengeAsync(challengerVersion, _options.ChallengerShare, "simulate-online", spec.Name, cancellationToken).ConfigureAwait(false);

                var published = watch.Elapsed;
                long dayClicks = 0, dayImpressions = 0;
                TimeSpan servingTime = TimeSpan.Zero, historyTime = TimeSpan.Zero;
                for (var u = 0; u < _options.Users; u++)
                {
                    if (!_visits[day - 1][u])
                    {
                        continue;
                    }

                    var userId = UserId(u);
                    var at = dayStart.AddSeconds(43_200.0 * u / _options.Users);
                    clock.SetUtcNow(at);
                    var servingStarted = System.Diagnostics.Stopwatch.GetTimestamp();
                    var response = await service.RecommendAsync(new RecommendationRequest { UserId = userId, K = K }, cancellationToken).ConfigureAwait(false);
                    if (arms[u] is { } arm && arm != response.Arm)
                    {
                        throw new InvalidOperationException($"user {u} moved from the {arm} arm to the {response.Arm} arm: the bucket must be stable");
                    }

                    servingTime += System.Diagnostics.Stopwatch.GetElapsedTime(servingStarted);
                    arms[u] = response.Arm;
                    var list = response.Items.Select(i => ItemIndex(i.ItemId)).ToList();

                    // The true lift, paired: both configurations' lists for this user in this state, valued by the known affinities.
                    var controlList = RankPlain(control, u, plain, scores, excluded[u], order, keys, random);
                    var challengerList = RankPlain(challenger, u, plain, scores, excluded[u], order, keys, random);
                    expectedControl += ExpectedClicks(u, controlList, shown);
                    expectedChallenger += ExpectedClicks(u, challengerList, shown);
                    requests++;
                    matching += list.SequenceEqual(response.Arm == RecommendationArms.Challenger ? challengerList : controlList) ? 1 : 0;

                    clicks.Clear();
                    for (var p = 0; p < list.Count; p++)
                    {
                        var item = list[p];
                        var key = ((long)u * _options.Items) + item;
                        var before = shown.GetValueOrDefault(key);
                        shown[key] = before + 1;
                        traffic[u].Impressions++;
                        dayImpressions++;
                        if (random.NextDouble() < _clicks.Probability(_world.TrueAffinity(u, item), p, before))
                        {
                            traffic[u].Clicks++;
                            dayClicks++;
                            excluded[u].Add(item);
                            var time = at.AddMilliseconds(p + 1);
                            log.Add(new InteractionEvent(userId, _catalog[item].ItemId, "click", time, RecommendationId: response.RecommendationId, Position: p));
                            clicks.Add(new HistoryEvent { ItemId = _catalog[item].ItemId, Type = "click", Timestamp = time });
                        }
                    }

                    if (clicks.Count > 0)
                    {
                        var appendStarted = System.Diagnostics.Stopwatch.GetTimestamp();
                        await histories.AppendAsync(userId, [.. clicks], cancellationToken).ConfigureAwait(false);
                        historyTime += System.Diagnostics.Stopwatch.GetElapsedTime(appendStarted);
                    }
                }

                onDay?.Invoke(day, FormattableString.Invariant($"CTR {(dayImpressions == 0 ? 0 : (double)dayClicks / dayImpressions):P2} (train {trained.TotalSeconds:F1} s, publish {(published - trained).TotalSeconds:F1} s, serve {(watch.Elapsed - published).TotalSeconds:F1} s: recommend {servingTime.TotalSeconds:F1} s, history appends {historyTime.TotalSeconds:F1} s)"));
            }

            var controlTraffic = new AbArmTraffic([.. Enumerable.Range(0, _options.Users).Where(u => arms[u] == RecommendationArms.Champion).Select(u => traffic[u])]);
            var challengerTraffic = new AbArmTraffic([.. Enumerable.Range(0, _options.Users).Where(u => arms[u] == RecommendationArms.Challenger).Select(u => traffic[u])]);
            var result = AbVerdict.Compare(spec.ControlName, controlTraffic, spec.ChallengerName, challengerTraffic);
            return new ServedAbRun(
                result.Control,
                result.Challenger,
                _options.ChallengerShare,
                controlTraffic.Users.Count,
                challengerTraffic.Users.Count,
                result.ControlCtr,
                result.ChallengerCtr,
                result.ControlImpressions,
                result.ChallengerImpressions,
                result.Difference,
                result.Low,
                result.High,
                result.RelativeLift,
                result.Verdict,
                AbVerdict.MinimumDetectableLift(result),
                expectedControl == 0 ? 0 : (expectedChallenger / expectedControl) - 1,
                requests == 0 ? 0 : (double)matching / requests);
        }
        finally
        {
            if (Directory.Exists(root))
            {
                Directory.Delete(root, recursive: true);
            }
        }
    }

    /// <summary>The keyed hasher of a simulated world: its key drawn from the seed.</summary>
    public static UserIdHasher Hasher(int seed)
    {
        var key = new byte[UserIdHasher.KeyLength];
        new Random(unchecked(seed * 104_729)).NextBytes(key);
        return new UserIdHasher(key);
    }

    /// <summary>Does world user <paramref name="user"/> visit on day <paramref name="day"/> (1-based)?</summary>
    public bool Visits(int day, int user) => _visits[day - 1][user];

    /// <summary>The user id of world user <paramref name="user"/> (what a request names).</summary>
    public static string UserIdOf(int user) => UserId(user);

    /// <summary>The ten best-scored unseen available items a trained model gives a user (popularity is not needed: every user has a history).</summary>
    private List<int> RankPlain(TrainedModel model, int user, OnlinePolicy plain, float[] scores, HashSet<int> excluded, int[] order, float[] keys, Random random)
    {
        if (!model.Score(user, scores))
        {
            return [];
        }

        return Choose(plain, scores, excluded, order, keys, random);
    }

    /// <summary>The expected clicks of a list under the click model, given what the user was already shown.</summary>
    private double ExpectedClicks(int user, List<int> list, Dictionary<long, int> shown)
    {
        var sum = 0.0;
        for (var p = 0; p < list.Count; p++)
        {
            sum += _clicks.Probability(_world.TrueAffinity(user, list[p]), p, shown.GetValueOrDefault(((long)user * _options.Items) + list[p]));
        }

        return sum;
    }
}
