using System.Runtime.CompilerServices;
using ServerlessRec.Storage;
using ServerlessRec.Training;

namespace ServerlessRec.Pipeline;

/// <summary>
/// The dataset of the retraining run in progress, shared by the activities that need it when they run in one host
/// (buildDataset, seedHistories, train, evaluate and exportOnnx): building it from the shards took 19 s at 10M
/// events, once per activity. A host registers one as a singleton and hands it to its <see cref="RetrainActivities"/>;
/// two hosts in one process keep their own. One entry per store, keyed by the shard list (shard blobs are unique to a
/// run), so an activity on another instance, or after a restart, loads its own; released when the run record is
/// written. The dataset is never written after it is built.
/// </summary>
public sealed class RetrainDatasetCache
{
    private readonly ConditionalWeakTable<IBlobStore, Entry> _entries = new();

    /// <summary>Gets the dataset cached for <paramref name="store"/> under <paramref name="key"/>, if that is the one cached.</summary>
    internal bool TryGet(IBlobStore store, string key, out (InteractionDataset Data, long ExcludedEvents, int ForgottenUsers, string? CatalogWatermark) loaded)
    {
        if (_entries.TryGetValue(store, out var entry) && entry.Key == key)
        {
            loaded = entry.Loaded;
            return true;
        }

        loaded = default;
        return false;
    }

    /// <summary>Caches <paramref name="loaded"/> for <paramref name="store"/>, replacing the dataset of an earlier run.</summary>
    internal void Set(IBlobStore store, string key, (InteractionDataset Data, long ExcludedEvents, int ForgottenUsers, string? CatalogWatermark) loaded) =>
        _entries.AddOrUpdate(store, new Entry(key, loaded));

    /// <summary>Drops the dataset cached for <paramref name="store"/> when its key starts with <paramref name="keyPrefix"/> (a run's shard folder).</summary>
    internal void Release(IBlobStore store, string keyPrefix)
    {
        if (_entries.TryGetValue(store, out var entry) && entry.Key.StartsWith(keyPrefix, StringComparison.Ordinal))
        {
            _entries.Remove(store);
        }
    }

    private sealed record Entry(string Key, (InteractionDataset Data, long ExcludedEvents, int ForgottenUsers, string? CatalogWatermark) Loaded);
}
