namespace ServerlessRec.Training;

/// <summary>
/// Interaction logs in the shape the trainer and the evaluation read: item and user vocabularies and,
/// per user, the events in <see cref="HistoryOrder"/> (second, itemId ordinal, type, value), stored as flat arrays (CSR layout).
/// </summary>
/// <remarks>
/// Item index 0 is padding/unknown; real items are 1..<see cref="ItemCount"/>. Negative events keep
/// their item but have <see cref="IsNegative"/> set and weight 0: they never count as positives.
/// </remarks>
public sealed class InteractionDataset
{
    internal InteractionDataset(
        string[] itemIds,
        int[] itemFeatureOffsets,
        int[] itemFeatures,
        int featureBuckets,
        string[] userIds,
        int[] userOffsets,
        int[] eventItems,
        long[] eventTimes,
        float[] eventWeights,
        bool[] eventNegative)
    {
        ItemIds = itemIds;
        ItemFeatureOffsets = itemFeatureOffsets;
        ItemFeatures = itemFeatures;
        FeatureBuckets = featureBuckets;
        UserIds = userIds;
        UserOffsets = userOffsets;
        EventItems = eventItems;
        EventTimes = eventTimes;
        EventWeights = eventWeights;
        IsNegative = eventNegative;
        var index = new Dictionary<string, int>(itemIds.Length, StringComparer.Ordinal);
        for (var i = 1; i < itemIds.Length; i++)
        {
            index[itemIds[i]] = i;
        }

        ItemIndexById = index;
    }

    /// <summary>Gets the item ids by index; entry 0 is the empty padding id.</summary>
    public IReadOnlyList<string> ItemIds { get; }

    /// <summary>Gets the number of real items (indices 1..ItemCount).</summary>
    public int ItemCount => ItemIds.Count - 1;

    /// <summary>Gets the item index of each item id.</summary>
    public IReadOnlyDictionary<string, int> ItemIndexById { get; }

    /// <summary>Gets, per item index, where its feature indices start in <see cref="ItemFeatures"/> (length ItemCount + 2).</summary>
    public int[] ItemFeatureOffsets { get; }

    /// <summary>Gets the hashed category/tag feature indices of all items, concatenated.</summary>
    public int[] ItemFeatures { get; }

    /// <summary>Gets the event type name of every event (interned strings).</summary>
    public IReadOnlyList<string> EventTypeNames { get; init; } = [];

    /// <summary>Gets the value of every event (NaN when it had none).</summary>
    public IReadOnlyList<float> EventValues { get; init; } = [];

    /// <summary>Gets the catalog category names of every item index (empty when the catalog has none).</summary>
    public IReadOnlyList<string[]> ItemCategories { get; init; } = [];

    /// <summary>Gets whether every item index is available for recommendation (catalog <c>available</c>; true by default).</summary>
    public IReadOnlyList<bool> ItemAvailable { get; init; } = [];

    /// <summary>Gets the number of feature hash buckets (feature indices 1..FeatureBuckets).</summary>
    public int FeatureBuckets { get; }

    /// <summary>Gets the user ids by user index.</summary>
    public IReadOnlyList<string> UserIds { get; }

    /// <summary>Gets the number of users.</summary>
    public int UserCount => UserIds.Count;

    /// <summary>Gets, per user, where their events start (length UserCount + 1).</summary>
    public int[] UserOffsets { get; }

    /// <summary>Gets the item index of every event.</summary>
    public int[] EventItems { get; }

    /// <summary>Gets the Unix time in seconds of every event.</summary>
    public long[] EventTimes { get; }

    /// <summary>Gets the configured weight of every event (0 for negatives).</summary>
    public float[] EventWeights { get; }

    /// <summary>Gets whether every event is negative (skip, dislike, low rating).</summary>
    public bool[] IsNegative { get; }

    /// <summary>Gets the number of events.</summary>
    public int EventCount => EventItems.Length;

    /// <summary>Gets the feature indices of an item (empty for padding).</summary>
    public ReadOnlySpan<int> FeaturesOf(int item) =>
        ItemFeatures.AsSpan(ItemFeatureOffsets[item], ItemFeatureOffsets[item + 1] - ItemFeatureOffsets[item]);

    /// <summary>Gets the largest number of features of any item.</summary>
    public int MaxFeaturesPerItem
    {
        get
        {
            var max = 0;
            for (var i = 0; i + 1 < ItemFeatureOffsets.Length; i++)
            {
                max = Math.Max(max, ItemFeatureOffsets[i + 1] - ItemFeatureOffsets[i]);
            }

            return max;
        }
    }

    /// <summary>Counts positive events per item index (the popularity used by the baseline and logQ).</summary>
    public long[] PositiveCounts(ReadOnlySpan<int> userEnds)
    {
        var counts = new long[ItemIds.Count];
        for (var u = 0; u < UserCount; u++)
        {
            var start = UserOffsets[u];
            var end = start + userEnds[u];
            for (var e = start; e < end; e++)
            {
                if (!IsNegative[e])
                {
                    counts[EventItems[e]]++;
                }
            }
        }

        return counts;
    }
}
