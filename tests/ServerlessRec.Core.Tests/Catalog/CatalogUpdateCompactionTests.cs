using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using ServerlessRec.Catalog;
using ServerlessRec.Events;
using ServerlessRec.Onnx;
using ServerlessRec.Pipeline;
using ServerlessRec.Retrieval;
using ServerlessRec.Serving;
using ServerlessRec.Storage;
using ServerlessRec.Training;

namespace ServerlessRec.Core.Tests.Catalog;

/// <summary>
/// Compaction of <c>catalog/updates/</c> by the retraining's cleanup step: the update blobs the live version's training read
/// (up to its catalog watermark) and older than the grace period are folded into one blob and deleted; later ones stay, and
/// instances, old and new, fold the same item states as before.
/// </summary>
public sealed class CatalogUpdateCompactionTests : IDisposable
{
    private static readonly DateTimeOffset Start = new(2026, 3, 1, 0, 0, 0, TimeSpan.Zero);
    private readonly string _root = Path.Combine(Path.GetTempPath(), "srec-compaction-" + Guid.NewGuid().ToString("N"));
    private readonly LocalFolderBlobStore _store;
    private readonly FakeTimeProvider _time = new(Start);
    private readonly CatalogUpdateStore _updates;
    private readonly List<CatalogUpdateBlob> _written = [];

    public CatalogUpdateCompactionTests()
    {
        _store = new LocalFolderBlobStore(new StorageOptions { LocalRoot = _root });
        _updates = new CatalogUpdateStore(_store, _time);
    }

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    private async Task<string> WriteAsync(params CatalogItem[] items)
    {
        _time.Advance(TimeSpan.FromMinutes(1));
        var blob = await _updates.WriteAsync(items);
        _written.Add(blob);
        return blob.Name;
    }

    /// <summary>A version whose training read the updates up to <paramref name="watermark"/>, made live now.</summary>
    private async Task ActivateAsync(string version, string watermark)
    {
        var manifest = new ModelManifest
        {
            Version = version,
            Created = _time.GetUtcNow(),
            Dimensions = 4,
            HiddenDimensions = 4,
            HistoryLength = 4,
            DecayHalfLifeDays = 1,
            SessionGapMinutes = 30,
            SessionMaxEvents = 5,
            Temperature = 0.1f,
            FeatureBuckets = 16,
            MaxFeaturesPerItem = 4,
            ItemCount = 0,
            EventTypes = new Dictionary<string, EventTypeDefinition>(),
            CatalogWatermark = watermark,
        };
        await _store.WriteAsync(ContainerNames.Models, $"{version}/{ModelManifest.FileName}", JsonSerializer.SerializeToUtf8Bytes(manifest));
        var (current, etag) = await ModelPointer.ReadAsync(_store);
        await ModelActivation.FlipAsync(_store, current, etag, version, _time.GetUtcNow(), new ActivationOrigin(ModelActivation.RetrainTrigger));
    }

    private Task CleanupAsync() =>
        new RetrainActivities(_store, new EmbeddedItemIndexPublisher(_store), new TwoTowerOptions(), new EventTypeOptions(), _time)
            .Cleanup(new CleanupInput(KeepVersions: 3, GraceSeconds: 600));

    private async Task<List<string>> NamesAsync()
    {
        var names = new List<string>();
        await foreach (var blob in _store.ListAsync(ContainerNames.Catalog, CatalogUpdateStore.Prefix))
        {
            names.Add(blob.Name);
        }

        return [.. names.Order(StringComparer.Ordinal)];
    }

    private static List<string> Describe(IReadOnlyDictionary<string, LiveItemState> states) =>
        [.. states.Values.Select(s => $"{s.Item.ItemId}|{s.Item.Title}|{string.Join(",", s.Item.Categories)}|{string.Join(",", s.Item.Tags)}|{s.Item.Available}|{s.Item.Deleted}|{s.FirstSeen:O}").Order(StringComparer.Ordinal)];

    [Fact]
    public async Task Cleanup_AfterTwoRetrainings_FoldsTheUpdatesTheLiveModelReadPastTheGracePeriod_AndKeepsEveryItemState()
    {
        var u1 = await WriteAsync(new CatalogItem("a", "A", ["x"], ["t"]), new CatalogItem("b", null, ["y"], []));
        var u2 = await WriteAsync(new CatalogItem("a", "A2", ["x2"], ["t"]), new CatalogItem("c", null, [], [], Available: false));
        var u3 = await WriteAsync(new CatalogItem("b", null, [], [], Available: false) { Deleted = true });
        await ActivateAsync("v1", watermark: u3);
        var u4 = await WriteAsync(new CatalogItem("d", null, ["z"], []));
        using var existing = new LiveCatalog(new CatalogUpdateStore(_store, _time), _store, _time);
        await existing.ReadStatesAsync();

        _time.Advance(TimeSpan.FromMinutes(20));
        await CleanupAsync();

        var compacted1 = u3[..^".jsonl".Length] + CatalogUpdateCompactor.CompactedSuffix;
        Assert.Equal([compacted1, u4], await NamesAsync());
        var reference = Describe(CatalogUpdateStore.Fold(_written));
        using (var fresh = new LiveCatalog(new CatalogUpdateStore(_store, _time), _store, _time))
        {
            Assert.Equal(reference, Describe(await fresh.ReadStatesAsync()));
        }

        Assert.Equal(reference, Describe(await existing.ReadStatesAsync()));

        // The second retraining read everything up to u5; u5 is inside the grace period and u6 came after the read.
        var u5 = await WriteAsync(new CatalogItem("e", null, ["x"], []), new CatalogItem("a", "A3", ["x3"], ["t"]));
        await ActivateAsync("v2", watermark: u5);
        var u6 = await WriteAsync(new CatalogItem("c", null, [], []));
        _time.Advance(TimeSpan.FromMinutes(5));
        await CleanupAsync();

        Assert.Equal([u4[..^".jsonl".Length] + CatalogUpdateCompactor.CompactedSuffix, u5, u6], await NamesAsync());
        reference = Describe(CatalogUpdateStore.Fold(_written));
        using (var fresh = new LiveCatalog(new CatalogUpdateStore(_store, _time), _store, _time))
        {
            Assert.Equal(reference, Describe(await fresh.ReadStatesAsync()));
        }

        Assert.Equal(reference, Describe(await existing.ReadStatesAsync()));
        Assert.DoesNotContain(u1, await NamesAsync());
        Assert.DoesNotContain(u2, await NamesAsync());
    }

    [Fact]
    public async Task Cleanup_LiveModelWithoutCatalogWatermark_CompactsNothing()
    {
        var u1 = await WriteAsync(new CatalogItem("a", null, ["x"], []));
        var u2 = await WriteAsync(new CatalogItem("b", null, ["y"], []));
        await ActivateAsync("v1", watermark: null!);
        _time.Advance(TimeSpan.FromHours(1));

        await CleanupAsync();

        Assert.Equal([u1, u2], await NamesAsync());
    }
}
