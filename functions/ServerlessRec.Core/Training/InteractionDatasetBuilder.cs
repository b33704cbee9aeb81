using ServerlessRec.Events;

namespace ServerlessRec.Training;

/// <summary>
/// Collects validated events and catalog features into an <see cref="InteractionDataset"/>: interns ids,
/// classifies event types (weight, negative), sorts each user's events in <see cref="HistoryOrder"/> (second, itemId
/// ordinal, type, value) and keeps exact duplicates once.
/// </summary>
/// <remarks>
/// An exact duplicate has the same user, item, type, timestamp (to the tick) and value as an earlier event. A post that
/// reached the log twice (a retried append, a retry that took over a post whose host stopped) logs byte-identical lines,
/// because a retried post reuses its first receive time; counting them once keeps training equal to serving, whose
/// histories keep each event once too.
/// </remarks>
public sealed class InteractionDatasetBuilder
{
    private const long UnixEpochSeconds = 62_135_596_800;
    private readonly EventTypeOptions _types;
    private readonly ItemFeatureHasher _hasher;
    private readonly Dictionary<string, int> _users = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _items = new(StringComparer.Ordinal);
    private readonly List<string> _itemIds = [string.Empty];
    private readonly List<string> _userIds = [];
    private readonly Dictionary<int, int[]> _features = [];
    private readonly Dictionary<int, string[]> _categories = [];
    private readonly HashSet<int> _unavailable = [];
    private readonly HashSet<string> _excludedUsers = new(StringComparer.Ordinal);
    private readonly Dictionary<string, DateTimeOffset?> _forgottenCutoffByUser = new(StringComparer.Ordinal);
    private Serving.ForgottenUserSet? _tombstones;
    private int[] _eventUser = new int[1024];
    private int[] _eventItem = new int[1024];
    // UTC ticks: the dataset keeps seconds, duplicates are found to the tick.
    private long[] _eventTime = new long[1024];
    private float[] _eventWeight = new float[1024];
    private bool[] _eventNegative = new bool[1024];
    private string[] _eventType = new string[1024];
    private float[] _eventValue = new float[1024];
    private readonly Dictionary<string, string> _typeNames = new(StringComparer.Ordinal);
    private int _count;

    /// <summary>Creates a builder.</summary>
    public InteractionDatasetBuilder(EventTypeOptions types, int featureBuckets = TwoTowerOptions.DefaultFeatureBuckets)
    {
        ArgumentNullException.ThrowIfNull(types);
        _types = types;
        _hasher = new ItemFeatureHasher(featureBuckets);
    }

    /// <summary>Gets the number of events added.</summary>
    public int EventCount => _count;

    /// <summary>Gets the number of exact duplicate events <see cref="Build"/> kept once (set by <see cref="Build"/>).</summary>
    public long DuplicateEventCount { get; private set; }

    /// <summary>Gets the number of events skipped because their user was excluded (forgotten).</summary>
    public long ExcludedEventCount { get; private set; }

    /// <summary>Excludes every event of these users (users who asked to be forgotten).</summary>
    public void ExcludeUsers(IEnumerable<string> userIds)
    {
        ArgumentNullException.ThrowIfNull(userIds);
        _excludedUsers.UnionWith(userIds);
    }

    /// <summary>
    /// Excludes the events of forgotten users: <paramref name="tombstones"/> (keyed and legacy hashes of user ids) tells
    /// when a user asked to be forgotten; their events up to that time are dropped (later ones, if they come back, are kept).
    /// </summary>
    public void ExcludeForgottenUsers(Serving.ForgottenUserSet tombstones)
    {
        ArgumentNullException.ThrowIfNull(tombstones);
        _tombstones = tombstones;
        _forgottenCutoffByUser.Clear();
    }

    /// <summary>Adds one validated event. Returns <see langword="false"/> when its type is not configured or its user is excluded.</summary>
    public bool Add(in InteractionEvent interaction)
    {
        if ((_excludedUsers.Count > 0 && _excludedUsers.Contains(interaction.UserId)) || IsForgotten(interaction))
        {
            ExcludedEventCount++;
            return false;
        }

        // Impressions (exposure types) record what was shown, not what the user did: never training or evaluation input.
        if (!_types.TryClassify(interaction.Type, interaction.Value, out var weight, out var negative, out var exposure) || exposure)
        {
            return false;
        }

        if (_count == _eventUser.Length)
        {
            var size = _count * 2;
            Array.Resize(ref _eventUser, size);
            Array.Resize(ref _eventItem, size);
            Array.Resize(ref _eventTime, size);
            Array.Resize(ref _eventWeight, size);
            Array.Resize(ref _eventNegative, size);
            Array.Resize(ref _eventType, size);
            Array.Resize(ref _eventValue, size);
        }

        _eventUser[_count] = Intern(_users, _userIds, interaction.UserId);
        _eventItem[_count] = ItemIndex(interaction.ItemId);
        _eventTime[_count] = interaction.Timestamp.UtcTicks;
        _eventWeight[_count] = weight;
        _eventNegative[_count] = negative;
        if (!_typeNames.TryGetValue(interaction.Type, out var typeName))
        {
            _typeNames[interaction.Type] = typeName = interaction.Type;
        }

        _eventType[_count] = typeName;
        _eventValue[_count] = interaction.Value is { } value ? (float)value : float.NaN;
        _count++;
        return true;
    }

    /// <summary>Adds the catalog features of an item (it joins the vocabulary even without events: cold start).</summary>
    public void AddItemFeatures(string itemId, IEnumerable<string> categories, IEnumerable<string>? tags = null, bool available = true)
    {
        ArgumentNullException.ThrowIfNull(itemId);
        ArgumentNullException.ThrowIfNull(categories);
        var categoryList = categories.Distinct(StringComparer.Ordinal).ToArray();
        var features = categoryList.Select(_hasher.Category)
            .Concat((tags ?? []).Select(_hasher.Tag))
            .Distinct()
            .Order()
            .ToArray();
        var index = ItemIndex(itemId);
        _features[index] = features;
        _categories[index] = categoryList;
        if (available)
        {
            _unavailable.Remove(index);
        }
        else
        {
            _unavailable.Add(index);
        }
    }

    /// <summary>Marks an item unavailable (adding it to the vocabulary when new) and keeps its features: a catalog delete.</summary>
    public void MarkUnavailable(string itemId)
    {
        ArgumentNullException.ThrowIfNull(itemId);
        _unavailable.Add(ItemIndex(itemId));
    }

    /// <summary>Builds the dataset. The builder can be discarded afterwards.</summary>
    public InteractionDataset Build()
    {
        var userCount = _userIds.Count;
        var offsets = new int[userCount + 1];
        for (var e = 0; e < _count; e++)
        {
            offsets[_eventUser[e] + 1]++;
        }

        for (var u = 0; u < userCount; u++)
        {
            offsets[u + 1] += offsets[u];
        }

        var order = new int[_count];
        var cursor = offsets[..^1].ToArray();
        for (var e = 0; e < _count; e++)
        {
            order[cursor[_eventUser[e]]++] = e;
        }

        var itemIds = _itemIds.ToArray();
        for (var u = 0; u < userCount; u++)
        {
            // HistoryOrder (second, ordinal item id as the evaluation protocol's tie rule, type, value), which the stored
            // histories and serving reproduce; arrival breaks the remaining ties only to keep the sort deterministic.
            Array.Sort(order, offsets[u], offsets[u + 1] - offsets[u], Comparer<int>.Create((a, b) =>
            {
                var byOrder = OrderOf(a, itemIds).CompareTo(OrderOf(b, itemIds));
                return byOrder != 0 ? byOrder : a.CompareTo(b);
            }));
        }

        var count = DropExactDuplicates(order, offsets, userCount);
        var items = new int[count];
        var times = new long[count];
        var weights = new float[count];
        var negative = new bool[count];
        var types = new string[count];
        var values = new float[count];
        for (var i = 0; i < count; i++)
        {
            var e = order[i];
            items[i] = _eventItem[e];
            times[i] = UnixSeconds(_eventTime[e]);
            weights[i] = _eventWeight[e];
            negative[i] = _eventNegative[e];
            types[i] = _eventType[e];
            values[i] = _eventValue[e];
        }

        var featureOffsets = new int[itemIds.Length + 1];
        var featureList = new List<int>();
        for (var i = 0; i < itemIds.Length; i++)
        {
            featureOffsets[i] = featureList.Count;
            if (_features.TryGetValue(i, out var f))
            {
                featureList.AddRange(f);
            }
        }

        featureOffsets[itemIds.Length] = featureList.Count;
        var categories = new string[itemIds.Length][];
        var available = new bool[itemIds.Length];
        for (var i = 0; i < itemIds.Length; i++)
        {
            categories[i] = _categories.TryGetValue(i, out var c) ? c : [];
            available[i] = i > 0 && !_unavailable.Contains(i);
        }

        return new InteractionDataset(itemIds, featureOffsets, [.. featureList], _hasher.Buckets, [.. _userIds], offsets, items, times, weights, negative)
        {
            ItemCategories = categories,
            ItemAvailable = available,
            EventTypeNames = types,
            EventValues = values,
        };
    }

    /// <summary>
    /// Compacts each user's sorted events in <paramref name="order"/>, keeping the first of exact duplicates, and rewrites
    /// <paramref name="offsets"/>; returns the events kept. Duplicates share a second and an item, so they sit in one run
    /// of the sort order and only that run is searched.
    /// </summary>
    private int DropExactDuplicates(int[] order, int[] offsets, int userCount)
    {
        DuplicateEventCount = 0;
        var kept = 0;
        var start = 0;
        for (var u = 0; u < userCount; u++)
        {
            var end = offsets[u + 1];
            offsets[u] = kept;
            for (var i = start; i < end; i++)
            {
                var e = order[i];
                var duplicate = false;
                for (var j = kept - 1; j >= offsets[u]; j--)
                {
                    var p = order[j];
                    if (UnixSeconds(_eventTime[p]) != UnixSeconds(_eventTime[e]) || _eventItem[p] != _eventItem[e])
                    {
                        break;
                    }

                    if (_eventTime[p] == _eventTime[e]
                        && string.Equals(_eventType[p], _eventType[e], StringComparison.Ordinal)
                        && BitConverter.SingleToInt32Bits(_eventValue[p]) == BitConverter.SingleToInt32Bits(_eventValue[e]))
                    {
                        duplicate = true;
                        break;
                    }
                }

                if (duplicate)
                {
                    DuplicateEventCount++;
                }
                else
                {
                    order[kept++] = e;
                }
            }

            start = end;
        }

        offsets[userCount] = kept;
        return kept;
    }

    private static long UnixSeconds(long utcTicks) => (utcTicks / TimeSpan.TicksPerSecond) - UnixEpochSeconds;

    private HistoryOrder OrderOf(int e, string[] itemIds) => new(UnixSeconds(_eventTime[e]), itemIds[_eventItem[e]], _eventType[e], _eventValue[e]);

    private bool IsForgotten(in InteractionEvent interaction)
    {
        if (_tombstones is not { Count: > 0 })
        {
            return false;
        }

        // One hash per distinct user, not per event.
        if (!_forgottenCutoffByUser.TryGetValue(interaction.UserId, out var cutoff))
        {
            cutoff = _tombstones.ForgottenAt(interaction.UserId);
            _forgottenCutoffByUser[interaction.UserId] = cutoff;
        }

        return cutoff is { } forgottenAt && interaction.Timestamp <= forgottenAt;
    }

    private int ItemIndex(string itemId) => Intern(_items, _itemIds, itemId);

    private static int Intern(Dictionary<string, int> map, List<string> ids, string id)
    {
        if (!map.TryGetValue(id, out var index))
        {
            index = ids.Count;
            map[id] = index;
            ids.Add(id);
        }

        return index;
    }
}
