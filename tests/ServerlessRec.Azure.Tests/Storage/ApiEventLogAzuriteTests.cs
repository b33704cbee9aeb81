using System.Text;
using Azure.Storage.Blobs;
using Microsoft.Extensions.Time.Testing;
using ServerlessRec.Azure.Storage;
using ServerlessRec.Events;
using ServerlessRec.Storage;

namespace ServerlessRec.Azure.Tests.Storage;

/// <summary>The API event log on a real Azurite, which refuses the 50,001st block of an append blob as Azure does.</summary>
[Collection(AzuriteTestGroup.Name)]
public sealed class ApiEventLogAzuriteTests(AzuriteFixture azurite) : IAsyncLifetime
{
    private readonly BlobServiceClient _serviceClient = azurite.CreateServiceClient();
    private readonly string _container = "t" + Guid.NewGuid().ToString("N")[..16];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _serviceClient.GetBlobContainerClient(_container).DeleteIfExistsAsync();

    /// <summary>
    /// The same path as 50,001 posts at the real cap (measured in <c>bench eventlog</c>: 100–180 s here, too slow for the
    /// suite), with the log rolling over every 100 appends: 1,001 concurrent appends into one hour lose nothing.
    /// </summary>
    [Fact]
    public async Task AppendAsync_MoreConcurrentAppendsInOneHourThanOneBlobTakes_RollsOverAndKeepsEveryEvent()
    {
        const int PerBlob = 100;
        const int Appends = (10 * PerBlob) + 1;
        var store = BlobStoreFactory.Create(azurite.CreateStorageOptions());
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 3, 10, 15, 0, TimeSpan.Zero));
        var log = new ApiEventLog(store, time, "host-1", _container, maxAppendsPerBlob: PerBlob);

        var names = new System.Collections.Concurrent.ConcurrentBag<string>();
        await Parallel.ForAsync(0, Appends, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (i, ct) =>
            names.Add(await log.AppendAsync([new InteractionEvent($"u{i % 97}", $"i{i}", "view", time.GetUtcNow())], ct)));

        var container = _serviceClient.GetBlobContainerClient(_container);
        var blobs = new List<string>();
        await foreach (var entry in store.ListAsync(_container, "2026/12/03/10/"))
        {
            blobs.Add(entry.Name);
            Assert.True(EventFileFormat.TryFromFileName(entry.Name, out var format) && format.Kind == EventFileKind.JsonLines, entry.Name);
            var committed = (await container.GetBlobClient(entry.Name).GetPropertiesAsync()).Value.BlobCommittedBlockCount;
            Assert.True(committed <= PerBlob, $"{entry.Name} holds {committed} blocks");
        }

        Assert.Equal(Enumerable.Range(0, 11).Select(i => log.BlobName(time.GetUtcNow(), i)).Order(StringComparer.Ordinal), blobs);
        Assert.Equal(blobs.Order(StringComparer.Ordinal), names.Distinct().Order(StringComparer.Ordinal));
        Assert.Equal(Enumerable.Range(0, Appends).Select(i => $"i{i}").Order(StringComparer.Ordinal), await ReadItemIdsAsync(store, blobs));
    }

    private async Task<IEnumerable<string>> ReadItemIdsAsync(IBlobStore store, IEnumerable<string> blobs)
    {
        var items = new List<string>();
        foreach (var name in blobs)
        {
            var blob = await store.ReadAsync(_container, name);
            foreach (var line in Encoding.UTF8.GetString(blob!.Content.Span).Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                items.Add(System.Text.Json.JsonDocument.Parse(line).RootElement.GetProperty("itemId").GetString()!);
            }
        }

        return items.Order(StringComparer.Ordinal);
    }
}
