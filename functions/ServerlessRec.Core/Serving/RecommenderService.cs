using System.Diagnostics;
using System.Numerics.Tensors;
using ServerlessRec.Diagnostics;
using ServerlessRec.Catalog;
using ServerlessRec.Events;
using ServerlessRec.Retrieval;
using ServerlessRec.Training;

namespace ServerlessRec.Serving;

/// <summary>
/// The serving path of design.md: history (stored ∪ request) → weights exactly as in training → ONNX user
/// tower → index query with filters and exclusions → optional diversity / exploration re-rank → items.
/// </summary>
public sealed class RecommenderService
{
    private readonly ILiveModelSource _models;
    private readonly UserHistoryStore _histories;
    private readonly TimeProvider _time;
    private readonly IServingIndexResolver _indexes;
    private readonly ServingOptions _options;
    private readonly ServerlessRecTelemetry? _telemetry;
    private readonly LiveCatalog? _catalog;

    /// <summary>Creates the service; <paramref name="indexes"/> defaults to the embedded index.</summary>
    /// <param name="models">The live model.</param>
    /// <param name="histories">The users' stored histories.</param>
    /// <param name="time">The clock.</param>
    /// <param name="indexes">Where a model version is searched (the embedded index by default).</param>
    /// <param name="options">The serving options (the remote search's time budget).</param>
    /// <param name="health">Where failed remote searches are reported (a private tracker by default).</param>
    /// <param name="telemetry">Where latencies and fallbacks are recorded (nothing is recorded without it).</param>
    /// <param name="catalog">The catalog API's updates (new items, availability), applied to every search; none when null.</param>
    public RecommenderService(ILiveModelSource models, UserHistoryStore histories, TimeProvider time, IServingIndexResolver? indexes = null, ServingOptions? options = null, ServingHealth? health = null, ServerlessRecTelemetry? telemetry = null, LiveCatalog? catalog = null)
    {
        _catalog = catalog;
        ArgumentNullException.ThrowIfNull(models);
        ArgumentNullException.ThrowIfNull(histories);
        ArgumentNullException.ThrowIfNull(time);
        _models = models;
        _histories = histories;
        _time = time;
        _indexes = indexes ?? EmbeddedIndexResolver.Instance;
        _options = options ?? new ServingOptions();
        Health = health ?? new ServingHealth(time, _options);
        _telemetry = telemetry;
    }

    /// <summary>Gets the health of what serving depends on (the remote index).</summary>
    public ServingHealth Health { get; }

    /// <summary>Returns the live model's version and why the instance is degraded, if it is (empty when healthy).</summary>
    /// <exception cref="ModelUnavailableException">No model is live.</exception>
    public async Task<(string ModelVersion, IReadOnlyList<string> DegradedReasons)> HealthAsync(CancellationToken cancellationToken = default)
    {
        var model = await CurrentModelAsync(cancellationToken).ConfigureAwait(false);
        var reasons = new List<string>(Health.DegradedReasons());
        if (_models.LastLoadError is { } loadError)
        {
            reasons.Add($"model: the newest version could not be loaded ({loadError}); {model.Version} keeps serving");
        }

        return (model.Version, reasons);
    }

    /// <summary>Ranks items for a user now.</summary>
    public Task<RecommendationResponse> RecommendAsync(RecommendationRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        return MeasuredAsync("recommend", token => RecommendForArmAsync(request, token), cancellationToken);
    }

    /// <summary>Items whose vectors are closest to an item's vector.</summary>
    public Task<RecommendationResponse> SimilarAsync(string itemId, int k, bool includeUnavailable = false, CancellationToken cancellationToken = default) =>
        MeasuredAsync("similar", token => SimilarCoreAsync(itemId, k, includeUnavailable, token), cancellationToken);

    // The arm is chosen per user before anything else: the challenger (when one runs) for users whose bucket is below its
    // share, the live version for everyone else; the answer names the arm and the version that made it.
    private async Task<RecommendationResponse> RecommendForArmAsync(RecommendationRequest request, CancellationToken cancellationToken)
    {
        var userId = RequestRules.Id(request.UserId, "userId");
        var champion = await CurrentModelAsync(cancellationToken).ConfigureAwait(false);
        if (_models.Challenger is { } challenger && challenger.Model.Version != champion.Version
            && (await _histories.Hashers.GetAsync(cancellationToken).ConfigureAwait(false)).Bucket(userId) < challenger.Share)
        {
            return await RecommendCoreAsync(request, challenger.Model, cancellationToken).ConfigureAwait(false) with { Arm = RecommendationArms.Challenger };
        }

        return await RecommendCoreAsync(request, champion, cancellationToken).ConfigureAwait(false) with { Arm = RecommendationArms.Champion };
    }

    private async Task<RecommendationResponse> RecommendCoreAsync(RecommendationRequest request, ServingModel model, CancellationToken cancellationToken)
    {
        var userId = RequestRules.Id(request.UserId, "userId");
        if (request.K < 1 || request.K > RequestRules.MaxK)
        {
            throw new RequestValidationException("k", $"k must be between 1 and {RequestRules.MaxK}");
        }

        if (request.RecentEvents is { Count: > RequestRules.MaxRequestEvents })
        {
            throw new RequestValidationException("recentEvents", $"recentEvents may hold at most {RequestRules.MaxRequestEvents} events");
        }

        if (!(request.Diversity >= 0 && request.Diversity <= 1))
        {
            throw new RequestValidationException("diversity", "diversity must be between 0 and 1");
        }

        if (!(request.Exploration >= 0 && request.Exploration <= 0.5))
        {
            throw new RequestValidationException("exploration", "exploration must be between 0 and 0.5");
        }

        var now = _time.GetUtcNow();
        var requestEvents = new List<InteractionEvent>();
        for (var i = 0; i < (request.RecentEvents?.Count ?? 0); i++)
        {
            requestEvents.Add(RequestRules.Event(request.RecentEvents![i], userId, model.EventTypes, now, $"recentEvents[{i}]"));
        }

        var filter = request.Filter ?? new RecommendationFilter();
        if (filter.Categories is { Count: > RequestRules.MaxCategories })
        {
            throw new RequestValidationException("filter.categories", $"filter.categories may hold at most {RequestRules.MaxCategories} categories");
        }

        if (filter.ExcludeItemIds is { Count: > RequestRules.MaxExcludeItemIds })
        {
            throw new RequestValidationException("filter.excludeItemIds", $"filter.excludeItemIds may hold at most {RequestRules.MaxExcludeItemIds} item ids");
        }

        for (var i = 0; i < (filter.Categories?.Count ?? 0); i++)
        {
            RequestRules.Id(filter.Categories![i], $"filter.categories[{i}]");
        }

        for (var i = 0; i < (filter.ExcludeItemIds?.Count ?? 0); i++)
        {
            RequestRules.Id(filter.ExcludeItemIds![i], $"filter.excludeItemIds[{i}]");
        }

        var stored = await ReadHistoryAsync(userId, cancellationToken).ConfigureAwait(false);
        var history = BuildHistory(model, userId, stored, requestEvents);
        var excluded = new HashSet<string>(filter.ExcludeItemIds ?? [], StringComparer.Ordinal);
        excluded.UnionWith(history.NegativeItems);
        if (request.ExcludeSeen)
        {
            excluded.UnionWith(history.SeenItems);
        }

        var itemFilter = new ItemFilter { Categories = filter.Categories, AvailableOnly = !filter.IncludeUnavailable, ExcludedItemIds = excluded };
        var overlay = await OverlayAsync(model, cancellationToken).ConfigureAwait(false);
        if (history.Count == 0)
        {
            var popular = model.MostPopular(request.K, overlay.MainFilter(itemFilter)).ToList();
            var exposedNew = ExposeNewItems(overlay, itemFilter, popular, request.K);
            return new RecommendationResponse
            {
                ModelVersion = model.Version,
                Source = RecommendationSource.Popular,
                Items = popular.Select(p => new RecommendedItem
                {
                    ItemId = p.ItemId,
                    Score = p.Score,
                    Exploration = exposedNew.Contains(p.ItemId),
                    Reason = !request.Explain ? null : exposedNew.Contains(p.ItemId) ? RecommendationReason.NewItem : RecommendationReason.Popular,
                }).ToList(),
            };
        }

        var user = new float[model.Manifest.Dimensions];
        model.UserTower.Compute(history.Items, history.LongTerm, history.Session, user);
        var index = await ResolveIndexAsync(model, overlay, cancellationToken).ConfigureAwait(false);
        var reranks = request.Diversity > 0 || request.Exploration > 0;
        var pool = await index.SearchAsync(user, reranks ? Math.Max(request.K * 5, 50) : request.K, itemFilter, cancellationToken).ConfigureAwait(false);
        var chosen = request.Diversity > 0 ? DiversityReranker.Rerank(model, pool, request.K, request.Diversity, overlay) : pool.Take(request.K).ToList();
        // New items take their share of slots first; exploration's share comes on top, the two together at most half the list.
        var exposed = await ExposeNewItemsAsync(model, overlay, index, user, itemFilter, chosen, request.K, cancellationToken).ConfigureAwait(false);
        var explorationShare = Math.Min(request.Exploration, Math.Max(0, 0.5 - ((double)exposed.Count / request.K)));
        var exploration = explorationShare > 0
            ? await ExploreAsync(model, index, user, itemFilter, chosen, request.K, explorationShare, exposed, cancellationToken).ConfigureAwait(false)
            : new HashSet<string>(StringComparer.Ordinal);
        exploration.UnionWith(exposed);

        // A remote search that failed on an instance without vectors answered with popular items: nothing personal to explain.
        var popularOnly = index.FellBack && model.SearchIndex is null;
        var explainer = request.Explain && !popularOnly ? HistoryExplainer.Create(model, history) : null;
        var items = chosen.Select(c =>
        {
            List<string>? because = explainer is not null ? Explain(model, overlay, explainer, user, c.ItemId) : request.Explain ? [] : null;
            return new RecommendedItem
            {
                ItemId = c.ItemId,
                Score = c.Score,
                Because = because,
                Reason = because is null ? null : ReasonOf(c.ItemId, because, exposed, exploration, popularOnly),
                Exploration = exploration.Contains(c.ItemId),
            };
        }).ToList();
        return new RecommendationResponse
        {
            ModelVersion = model.Version,
            Source = index.FellBack ? RecommendationSource.Fallback : history.FromStore ? RecommendationSource.History : RecommendationSource.Request,
            Items = items,
        };
    }

    private async Task<RecommendationResponse> SimilarCoreAsync(string itemId, int k, bool includeUnavailable, CancellationToken cancellationToken)
    {
        RequestRules.Id(itemId, "itemId");
        if (k < 1 || k > RequestRules.MaxK)
        {
            throw new RequestValidationException("k", $"k must be between 1 and {RequestRules.MaxK}");
        }

        var model = await CurrentModelAsync(cancellationToken).ConfigureAwait(false);
        var overlay = await OverlayAsync(model, cancellationToken).ConfigureAwait(false);
        var vector = new float[model.Manifest.Dimensions];
        var state = overlay.StateOf(itemId);
        bool found;
        if (model.Mode != ServingMode.Embedded && _catalog is not null && state is { Item.Deleted: false })
        {
            // A remote index has no delta segment: the writer merged the item's item-tower vector into the version's index,
            // so that vector, computed the same way, is the query (a new id is unknown to the model's own vectors).
            (await _catalog.VectorOfAsync(model, state.Item, cancellationToken).ConfigureAwait(false)).CopyTo(vector);
            found = true;
        }
        else
        {
            found = TryReadVector(model, overlay, itemId, vector);
        }

        if (!found || state?.Item.Deleted == true)
        {
            throw new NotFoundException("itemId", $"item \"{itemId}\" is not in model {model.Version}");
        }

        var filter = new ItemFilter { AvailableOnly = !includeUnavailable, ExcludedItemIds = new HashSet<string>(StringComparer.Ordinal) { itemId } };
        var itemIndex = await ResolveIndexAsync(model, overlay, cancellationToken).ConfigureAwait(false);
        var results = await itemIndex.SearchAsync(vector, k, filter, cancellationToken).ConfigureAwait(false);
        return new RecommendationResponse
        {
            ModelVersion = model.Version,
            Source = itemIndex.FellBack ? RecommendationSource.Fallback : RecommendationSource.Item,
            Items = results.Select(r => new RecommendedItem { ItemId = r.ItemId, Score = r.Score }).ToList(),
        };
    }

    /// <summary>The user's vector as the live model computes it now (null when the user has no usable history).</summary>
    public async Task<(string ModelVersion, float[]? Vector, int HistoryLength)> UserVectorAsync(string userId, CancellationToken cancellationToken = default)
    {
        RequestRules.Id(userId, "userId");
        var model = await CurrentModelAsync(cancellationToken).ConfigureAwait(false);
        var stored = await ReadHistoryAsync(userId, cancellationToken).ConfigureAwait(false);
        var history = BuildHistory(model, userId, stored, []);
        if (history.Count == 0)
        {
            return (model.Version, null, 0);
        }

        var user = new float[model.Manifest.Dimensions];
        model.UserTower.Compute(history.Items, history.LongTerm, history.Session, user);
        return (model.Version, user, history.Count);
    }

    /// <summary>One request in an activity of the <c>ServerlessRec</c> source, its latency recorded with its source and model version.</summary>
    private async Task<RecommendationResponse> MeasuredAsync(string name, Func<CancellationToken, Task<RecommendationResponse>> handle, CancellationToken cancellationToken)
    {
        using var activity = _telemetry?.ActivitySource.StartActivity(name);
        var started = _time.GetTimestamp();
        try
        {
            // Every answer gets its own id here, whichever path built it, so events can be attributed to it.
            var response = await handle(cancellationToken).ConfigureAwait(false) with { RecommendationId = RecommendationIds.New(_time.GetUtcNow()) };
            var source = SourceName(response.Source);
            activity?.SetTag("source", source);
            activity?.SetTag("model.version", response.ModelVersion);
            _telemetry?.RecommendationServed(_time.GetElapsedTime(started), source, response.ModelVersion);
            return response;
        }
        catch (Exception ex)
        {
            activity?.SetStatus(ActivityStatusCode.Error, ex.GetType().Name);
            throw;
        }
    }

    /// <summary>The source as the API writes it (<c>history</c>, <c>popular</c>, <c>fallback</c>…).</summary>
    internal static string SourceName(RecommendationSource source) => source switch
    {
        RecommendationSource.History => "history",
        RecommendationSource.Request => "request",
        RecommendationSource.Popular => "popular",
        RecommendationSource.Item => "item",
        RecommendationSource.Fallback => "fallback",
        _ => source.ToString(),
    };

    private async Task<StoredUserHistory> ReadHistoryAsync(string userId, CancellationToken cancellationToken)
    {
        var started = _time.GetTimestamp();
        var stored = await _histories.ReadAsync(userId, cancellationToken).ConfigureAwait(false);
        _telemetry?.HistoryRead(_time.GetElapsedTime(started));
        return stored;
    }

    /// <summary>
    /// The index one request searches: the embedded index as is, or the version's remote index (Azure AI Search) behind
    /// the time budget of <see cref="ServingOptions.SearchTimeout"/>, falling back to the instance's own vectors (popular
    /// items when it holds none).
    /// </summary>
    private async Task<RequestIndex> ResolveIndexAsync(ServingModel model, CatalogOverlay overlay, CancellationToken cancellationToken)
    {
        if (_indexes is EmbeddedIndexResolver)
        {
            return new RequestIndex(this, model, remote: null, overlay);
        }

        var resolved = await WithinBudgetAsync(model, token => _indexes.ResolveAsync(model, token).AsTask(), "index-open", "could not be opened", cancellationToken).ConfigureAwait(false);
        return new RequestIndex(this, model, resolved.Value, overlay) { FellBack = !resolved.Ok };
    }

    /// <summary>The catalog API's changes on the live model (none when the service has no catalog).</summary>
    private ValueTask<CatalogOverlay> OverlayAsync(ServingModel model, CancellationToken cancellationToken) =>
        _catalog is null ? ValueTask.FromResult(CatalogOverlay.Empty) : _catalog.OverlayForAsync(model, cancellationToken);

    /// <summary>Copies an item's vector: the catalog delta's for an item the API added or changed, else the model's; false when neither has one.</summary>
    internal static bool TryReadVector(ServingModel model, CatalogOverlay overlay, string itemId, Span<float> destination)
    {
        if (overlay.Vectors.TryGetValue(itemId, out var live))
        {
            live.CopyTo(destination);
            return true;
        }

        var index = model.IndexOf(itemId);
        if (index == 0)
        {
            destination.Clear();
            return false;
        }

        model.ReadVector(index, destination);
        return true;
    }

    /// <summary>
    /// Gives new items (<see cref="ServingOptions.NewItemShare"/> of the list): the most relevant items that the catalog
    /// API first named less than <see cref="ServingOptions.NewItemMaxAge"/> ago, or that the model saw fewer than
    /// <see cref="ServingOptions.NewItemMaxInteractions"/> times, take evenly spaced slots the ranking did not give them.
    /// </summary>
    private async Task<HashSet<string>> ExposeNewItemsAsync(ServingModel model, CatalogOverlay overlay, RequestIndex index, float[] user, ItemFilter filter, List<ScoredItem> chosen, int k, CancellationToken cancellationToken)
    {
        var slots = (int)Math.Round(k * _options.NewItemShare, MidpointRounding.AwayFromZero);
        var now = _time.GetUtcNow();
        if (slots == 0 || (_options.NewItemMaxInteractions <= 0 && !overlay.HasNewItems(now, _options.NewItemMaxAge)))
        {
            return new HashSet<string>(StringComparer.Ordinal);
        }

        var taken = new HashSet<string>(chosen.Select(c => c.ItemId), StringComparer.Ordinal);
        var candidates = new List<ScoredItem>();
        if (overlay.Delta is { } delta)
        {
            // The new items of the embedded index are all in the delta segment: search it whole for them.
            candidates.AddRange(delta.Search(user, Math.Max(1, Math.Min(delta.Count, k * 5)), filter));
        }

        if (overlay.Delta is null || _options.NewItemMaxInteractions > 0)
        {
            candidates.AddRange(await index.SearchAsync(user, Math.Max(k * 50, 500), filter, cancellationToken).ConfigureAwait(false));
        }

        var fresh = candidates
            .Where(c => !taken.Contains(c.ItemId) && overlay.IsNew(c.ItemId, PopularityOf(model, c.ItemId), now, _options.NewItemMaxAge, _options.NewItemMaxInteractions))
            .DistinctBy(c => c.ItemId)
            .OrderByDescending(c => c.Score)
            .Take(slots)
            .ToList();
        InsertSpaced(chosen, fresh, k);
        return new HashSet<string>(fresh.Select(f => f.ItemId).Where(id => chosen.Exists(c => c.ItemId == id)), StringComparer.Ordinal);
    }

    /// <summary>Exposure without a user vector (the popular list): the newest new items that pass the filter.</summary>
    private HashSet<string> ExposeNewItems(CatalogOverlay overlay, ItemFilter filter, List<ScoredItem> chosen, int k)
    {
        var slots = (int)Math.Round(k * _options.NewItemShare, MidpointRounding.AwayFromZero);
        var now = _time.GetUtcNow();
        if (slots == 0 || !overlay.HasNewItems(now, _options.NewItemMaxAge))
        {
            return new HashSet<string>(StringComparer.Ordinal);
        }

        var taken = new HashSet<string>(chosen.Select(c => c.ItemId), StringComparer.Ordinal);
        var fresh = overlay.States
            .Where(s => now - s.FirstSeen < _options.NewItemMaxAge && !taken.Contains(s.Item.ItemId) && overlay.Passes(s.Item.ItemId, filter) == true)
            .OrderByDescending(s => s.FirstSeen)
            .ThenBy(s => s.Item.ItemId, StringComparer.Ordinal)
            .Take(slots)
            .Select(s => new ScoredItem(s.Item.ItemId, 0f))
            .ToList();
        InsertSpaced(chosen, fresh, k);
        return new HashSet<string>(fresh.Select(f => f.ItemId).Where(id => chosen.Exists(c => c.ItemId == id)), StringComparer.Ordinal);
    }

    private static long PopularityOf(ServingModel model, string itemId) => model.IndexOf(itemId) is var at && at > 0 ? model.PopularityOf(at) : 0;

    /// <summary>Inserts <paramref name="fresh"/> at evenly spaced positions of <paramref name="chosen"/> and cuts it to <paramref name="k"/>.</summary>
    private static void InsertSpaced(List<ScoredItem> chosen, List<ScoredItem> fresh, int k, IReadOnlySet<string>? reserved = null)
    {
        var step = Math.Max(1, k / Math.Max(1, fresh.Count));
        for (var f = 0; f < fresh.Count; f++)
        {
            var position = Math.Min(k - 1, ((f + 1) * step) - 1);
            if (position < chosen.Count)
            {
                chosen.Insert(position, fresh[f]);
            }
            else
            {
                chosen.Add(fresh[f]);
            }
        }

        // Cut back to k from the end, but never an item an earlier step reserved a slot for (new items before exploration).
        for (var i = chosen.Count - 1; i >= 0 && chosen.Count > k; i--)
        {
            if (reserved is null || !reserved.Contains(chosen[i].ItemId))
            {
                chosen.RemoveAt(i);
            }
        }
    }

    /// <summary>Runs one remote call within the time budget; a failure or a timeout is reported to <see cref="Health"/> and returned as not ok.</summary>
    private async Task<(bool Ok, T? Value)> WithinBudgetAsync<T>(ServingModel model, Func<CancellationToken, Task<T>> call, string remoteCall, string what, CancellationToken cancellationToken)
    {
        using var budget = new CancellationTokenSource(_options.SearchTimeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, budget.Token);
        try
        {
            var value = await call(linked.Token).ConfigureAwait(false);
            Health.SearchSucceeded();
            return (true, value);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            Health.SearchFailed(model.Version, $"{what}: no answer within {_options.SearchTimeout.TotalMilliseconds:F0} ms", FallbackOf(model));
            _telemetry?.RecommendationFellBack(remoteCall + "-timeout");
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Handled, not swallowed: logged at Warning with the exception, counted, shown by /api/health, and the
            // request is answered from the instance's copy of the same vectors, or from popular items.
            Health.SearchFailed(model.Version, $"{what}: {ex.GetType().Name}", FallbackOf(model), ex);
            _telemetry?.RecommendationFellBack(remoteCall + "-error");
        }

        return (false, default);
    }

    private static string FallbackOf(ServingModel model) => model.SearchIndex is null ? "popular items" : "the instance's own vectors";

    /// <summary>One search of a remote index within the time budget.</summary>
    internal Task<(bool Ok, IReadOnlyList<ScoredItem>? Value)> RemoteSearchAsync(ServingModel model, IItemIndex remote, ReadOnlyMemory<float> query, int k, ItemFilter filter, CancellationToken cancellationToken) =>
        WithinBudgetAsync(model, token => remote.SearchAsync(query, k, filter, token).AsTask(), "search", "failed", cancellationToken);

    private async Task<ServingModel> CurrentModelAsync(CancellationToken cancellationToken) =>
        await _models.GetCurrentAsync(cancellationToken).ConfigureAwait(false)
            ?? throw new ModelUnavailableException(_models.LastLoadError is { } loadError
                ? $"no model is live: the activated version could not be loaded ({loadError})"
                : "no model is live yet: run a retraining first");

    /// <summary>
    /// The user tower's input: stored ∪ request events, each event once (<see cref="UserHistoryStore.DuplicateKey"/>), in
    /// training's <see cref="HistoryOrder"/>, through the model's <see cref="HistoryWindow"/> exactly as in training.
    /// </summary>
    internal static UserHistoryInput BuildHistory(ServingModel model, string userId, StoredUserHistory stored, IReadOnlyList<InteractionEvent> requestEvents)
    {
        var all = stored.Events
            .Select(e => (Event: e, Stored: true))
            .Concat(requestEvents.Select(e => (Event: new HistoryEvent { ItemId = e.ItemId, Type = e.Type, Timestamp = e.Timestamp, Value = e.Value }, Stored: false)))
            .DistinctBy(x => UserHistoryStore.DuplicateKey(x.Event))
            .OrderBy(x => HistoryOrder.Of(x.Event.Timestamp, x.Event.ItemId, x.Event.Type, x.Event.Value))
            .ToList();

        var seen = new HashSet<string>(StringComparer.Ordinal);
        var negatives = new HashSet<string>(StringComparer.Ordinal);
        var items = new int[all.Count];
        var times = new long[all.Count];
        var weights = new float[all.Count];
        var negative = new bool[all.Count];
        for (var i = 0; i < all.Count; i++)
        {
            var e = all[i].Event;
            // An event type the model does not know, or an exposure (impression), stays at weight 0: no slot, no exclusion.
            if (!model.EventTypes.TryClassify(e.Type, e.Value, out var weight, out negative[i], out var exposure) || exposure)
            {
                continue;
            }

            if (negative[i])
            {
                negatives.Add(e.ItemId);
                continue;
            }

            seen.Add(e.ItemId);
            items[i] = model.IndexOf(e.ItemId);
            times[i] = e.Timestamp.ToUnixTimeSeconds();
            weights[i] = weight;
        }

        var window = model.Window;
        var chosen = new int[window.Length];
        var positions = new int[window.Length];
        var longTerm = new float[window.Length];
        var session = new float[window.Length];
        var count = window.Fill(new HistoryEvents(items, times, weights, negative), chosen, longTerm, session, positions);
        var ids = new Dictionary<int, string>();
        var fromStore = false;
        for (var k = 0; k < count; k++)
        {
            ids[chosen[k]] = all[positions[k]].Event.ItemId;
            fromStore |= all[positions[k]].Stored;
        }

        var input = new UserHistoryInput(count, seen, negatives, fromStore, ids);
        chosen.AsSpan(0, count).CopyTo(input.Items);
        longTerm.AsSpan(0, count).CopyTo(input.LongTerm);
        session.AsSpan(0, count).CopyTo(input.Session);
        return input;
    }

    /// <summary>The history items behind one recommended item (<see cref="HistoryExplainer"/>); empty when none is, or when this instance holds no vector for it.</summary>
    private static List<string> Explain(ServingModel model, CatalogOverlay overlay, HistoryExplainer explainer, float[] user, string itemId)
    {
        var target = new float[model.Manifest.Dimensions];
        if (!TryReadVector(model, overlay, itemId, target))
        {
            // A new item served from AI Search: this instance holds no vector for it.
            return [];
        }

        return explainer.Explain(target, TensorPrimitives.Dot(user, target));
    }

    /// <summary>Why a personal list holds an item: the slot it took (new item, exploration), the popular fallback, its history items, or the session as a whole.</summary>
    private static RecommendationReason ReasonOf(string itemId, List<string> because, HashSet<string> exposed, HashSet<string> exploration, bool popularOnly) =>
        exposed.Contains(itemId) ? RecommendationReason.NewItem
        : exploration.Contains(itemId) ? RecommendationReason.Exploration
        : popularOnly ? RecommendationReason.Popular
        : because.Count > 0 ? RecommendationReason.History
        : RecommendationReason.Session;

    private static async Task<HashSet<string>> ExploreAsync(ServingModel model, RequestIndex index, float[] user, ItemFilter filter, List<ScoredItem> chosen, int k, double share, IReadOnlySet<string> reserved, CancellationToken cancellationToken)
    {
        // Under-exposed = popularity at or below the catalog's lower quartile; the most relevant of them take
        // evenly spaced slots, so a fixed share of every list helps fresh items get their first interactions.
        var slots = (int)Math.Round(k * share, MidpointRounding.AwayFromZero);
        if (slots == 0)
        {
            return new HashSet<string>(StringComparer.Ordinal);
        }

        var lowerQuartile = model.LowerQuartilePopularity;
        var taken = new HashSet<string>(chosen.Select(c => c.ItemId), StringComparer.Ordinal);
        var candidates = await index.SearchAsync(user, Math.Min(model.ItemCount, Math.Max(k * 50, 500)), filter, cancellationToken).ConfigureAwait(false);
        var fresh = candidates
            .Where(c => !taken.Contains(c.ItemId) && model.IndexOf(c.ItemId) is var at && at > 0 && model.PopularityOf(at) <= lowerQuartile)
            .Take(slots)
            .ToList();
        InsertSpaced(chosen, fresh, k, reserved);

        return new HashSet<string>(fresh.Select(f => f.ItemId).Where(id => chosen.Exists(c => c.ItemId == id)), StringComparer.Ordinal);
    }
}

/// <summary>
/// The index one request searches. Over a remote index every search has the time budget, and a search that fails or
/// times out is answered from the model's embedded index instead, or, when the instance holds no vectors
/// (<see cref="ServingMode.RemoteIndex"/>), from its popular items; after that <see cref="FellBack"/> is true.
/// </summary>
internal sealed class RequestIndex(RecommenderService service, ServingModel model, IItemIndex? remote, CatalogOverlay overlay) : IItemIndex
{
    public string Version => model.Version;

    /// <summary>Gets or sets a value indicating whether any search of this request was answered by the fallback.</summary>
    public bool FellBack { get; set; }

    /// <summary>Searches the main index (remote, or the model's) and the catalog's delta segment, with the catalog's availability.</summary>
    public ValueTask<IReadOnlyList<ScoredItem>> SearchAsync(ReadOnlyMemory<float> query, int k, ItemFilter filter, CancellationToken cancellationToken = default) =>
        overlay.IsEmpty ? SearchMainAsync(query, k, filter, cancellationToken)
        : (remote is null || FellBack) && model.SearchIndex is { } local ? overlay.SearchAsync(local, query, k, filter, cancellationToken)
        : overlay.SearchAsync(f => SearchMainAsync(query, k, f, cancellationToken), query, k, filter);

    private async ValueTask<IReadOnlyList<ScoredItem>> SearchMainAsync(ReadOnlyMemory<float> query, int k, ItemFilter filter, CancellationToken cancellationToken)
    {
        if (remote is not null && !FellBack)
        {
            var answer = await service.RemoteSearchAsync(model, remote, query, k, filter, cancellationToken).ConfigureAwait(false);
            if (answer.Ok)
            {
                return answer.Value!;
            }

            FellBack = true;
        }

        return model.SearchIndex is { } local
            ? await local.SearchAsync(query, k, filter, cancellationToken).ConfigureAwait(false)
            : model.MostPopular(k, filter);
    }
}

/// <summary>A user's history as the user tower reads it, plus the item sets used for exclusions.</summary>
internal sealed class UserHistoryInput(int count, HashSet<string> seen, HashSet<string> negatives, bool fromStore, Dictionary<int, string> itemIds)
{
    public int Count { get; } = count;

    public int[] Items { get; } = new int[count];

    public float[] LongTerm { get; } = new float[count];

    public float[] Session { get; } = new float[count];

    public HashSet<string> SeenItems { get; } = seen;

    public HashSet<string> NegativeItems { get; } = negatives;

    public bool FromStore { get; } = fromStore;

    /// <summary>Gets the item id of each vocabulary index in the history (explanations name them without a catalog lookup).</summary>
    public IReadOnlyDictionary<int, string> ItemIds { get; } = itemIds;
}
