using Microsoft.Extensions.Time.Testing;
using ServerlessRec.Azure.Storage;
using ServerlessRec.Catalog;
using ServerlessRec.Events;

namespace ServerlessRec.Azure.Tests.Storage;

/// <summary>The catalog API's update blobs on a real Azurite: concurrent writers on several instances lose nothing.</summary>
[Collection(AzuriteTestGroup.Name)]
public sealed class CatalogUpdatesAzuriteTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task WriteAsync_ConcurrentWritersInTheSameMillisecond_LoseNothing_AndEveryReaderAgreesOnTheLastWrite()
    {
        var store = BlobStoreFactory.Create(azurite.CreateStorageOptions());
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 3, 10, 15, 0, TimeSpan.Zero));
        var writers = new[] { new CatalogUpdateStore(store, time), new CatalogUpdateStore(store, time) };
        var run = Guid.NewGuid().ToString("N")[..8];

        await Parallel.ForAsync(0, 40, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (i, ct) =>
            await writers[i % 2].WriteAsync([new CatalogItem($"{run}-a{i}", null, ["x"], []), new CatalogItem($"{run}-shared", $"writer {i}", ["x"], [])], ct));

        var first = await ReadStatesAsync(store, time, run);
        var second = await ReadStatesAsync(BlobStoreFactory.Create(azurite.CreateStorageOptions()), time, run);
        Assert.Equal(41, first.Count);
        Assert.Equal(Enumerable.Range(0, 40).Select(i => $"{run}-a{i}").Append($"{run}-shared").Order(StringComparer.Ordinal), first.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(first[$"{run}-shared"].Item.Title, second[$"{run}-shared"].Item.Title);
    }

    private static async Task<Dictionary<string, LiveItemState>> ReadStatesAsync(ServerlessRec.Storage.IBlobStore store, TimeProvider time, string run)
    {
        var states = await new LiveCatalog(new CatalogUpdateStore(store, time), store, time).ReadStatesAsync();
        return states.Where(s => s.Key.StartsWith(run, StringComparison.Ordinal)).ToDictionary();
    }
}
