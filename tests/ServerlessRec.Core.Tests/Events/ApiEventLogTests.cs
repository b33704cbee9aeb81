using System.Text;
using Microsoft.Extensions.Time.Testing;
using ServerlessRec.Events;
using ServerlessRec.Storage;

namespace ServerlessRec.Core.Tests.Events;

public sealed class ApiEventLogTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "srec-apilog-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    [Fact]
    public async Task AppendAsync_TwoPosts_AppendsContractLinesToTheHourBlobOfThisInstance()
    {
        var store = new LocalFolderBlobStore(new StorageOptions { LocalRoot = _root });
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 3, 4, 5, 6, 7, TimeSpan.Zero));
        var log = new ApiEventLog(store, time, "host/1 a");

        var first = await log.AppendAsync([new InteractionEvent("u1", "i1", "view", time.GetUtcNow())]);
        var second = await log.AppendAsync([new InteractionEvent("u2", "i2", "like", time.GetUtcNow(), 2.5)]);

        Assert.Equal("2026/03/04/05/api-host-1-a.jsonl", first);
        Assert.Equal(first, second);
        var lines = Encoding.UTF8.GetString((await store.ReadAsync(ContainerNames.Events, first))!.Content.Span).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        Assert.Contains("\"userId\":\"u2\"", lines[1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task AppendAsync_ConcurrentAppendsPastTheThreshold_RollOverBeforeTheCapAndLoseNothing()
    {
        // The store refuses the 6th block of a blob, as Azure refuses the 50,001st: the log must never reach it.
        var store = new LocalFolderBlobStore(new StorageOptions { LocalRoot = _root }, maxAppendBlocks: 5);
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 3, 4, 5, 6, 7, TimeSpan.Zero));
        var log = new ApiEventLog(store, time, "h1", maxAppendsPerBlob: 5);

        var names = await Task.WhenAll(Enumerable.Range(0, 23).Select(i => Task.Run(() => log.AppendAsync([new InteractionEvent("u", $"i{i}", "view", time.GetUtcNow())]))));

        Assert.Equal(["2026/03/04/05/api-h1-0001.jsonl", "2026/03/04/05/api-h1-0002.jsonl", "2026/03/04/05/api-h1-0003.jsonl", "2026/03/04/05/api-h1-0004.jsonl", "2026/03/04/05/api-h1.jsonl"], names.Distinct().Order(StringComparer.Ordinal));
        Assert.Equal(Enumerable.Range(0, 23).Select(i => $"i{i}").Order(StringComparer.Ordinal), await LoggedItemsAsync(store, "2026/03/04/05/"));
        Assert.All(names.Distinct(), name => Assert.True(EventFileFormat.TryFromFileName(name, out var format) && format.Kind == EventFileKind.JsonLines));
    }

    [Fact]
    public async Task AppendAsync_BlobFilledByAnotherProcess_MovesPastItsNewestBlobAndLosesNothing()
    {
        var store = new LocalFolderBlobStore(new StorageOptions { LocalRoot = _root }, maxAppendBlocks: 3);
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 3, 4, 5, 6, 7, TimeSpan.Zero));
        var before = new ApiEventLog(store, time, "h1", maxAppendsPerBlob: 3);
        for (var i = 0; i < 7; i++)
        {
            await before.AppendAsync([new InteractionEvent("u", $"a{i}", "view", time.GetUtcNow())]);
        }

        // The same instance after a restart counts nothing yet: the store refuses the full blob and the log moves on.
        var restarted = new ApiEventLog(store, time, "h1");
        var name = await restarted.AppendAsync([new InteractionEvent("u", "b0", "view", time.GetUtcNow())]);
        var same = await restarted.AppendAsync([new InteractionEvent("u", "b1", "view", time.GetUtcNow())]);
        var next = await restarted.AppendAsync([new InteractionEvent("u", "b2", "view", time.GetUtcNow())]);

        Assert.Equal("2026/03/04/05/api-h1-0002.jsonl", name);
        Assert.Equal(name, same);
        Assert.Equal("2026/03/04/05/api-h1-0003.jsonl", next);
        Assert.Equal(["a0", "a1", "a2", "a3", "a4", "a5", "a6", "b0", "b1", "b2"], await LoggedItemsAsync(store, "2026/03/04/05/"));
    }

    [Fact]
    public async Task AppendAsync_NextHour_StartsAgainAtTheFirstName()
    {
        var store = new LocalFolderBlobStore(new StorageOptions { LocalRoot = _root });
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 3, 4, 5, 59, 0, TimeSpan.Zero));
        var log = new ApiEventLog(store, time, "h1", maxAppendsPerBlob: 1);

        await log.AppendAsync([new InteractionEvent("u", "a", "view", time.GetUtcNow())]);
        var rolled = await log.AppendAsync([new InteractionEvent("u", "b", "view", time.GetUtcNow())]);
        time.Advance(TimeSpan.FromMinutes(2));
        var nextHour = await log.AppendAsync([new InteractionEvent("u", "c", "view", time.GetUtcNow())]);

        Assert.Equal("2026/03/04/05/api-h1-0001.jsonl", rolled);
        Assert.Equal("2026/03/04/06/api-h1.jsonl", nextHour);
    }

    private static async Task<List<string>> LoggedItemsAsync(LocalFolderBlobStore store, string prefix)
    {
        var items = new List<string>();
        await foreach (var entry in store.ListAsync(ContainerNames.Events, prefix))
        {
            var content = Encoding.UTF8.GetString((await store.ReadAsync(ContainerNames.Events, entry.Name))!.Content.Span);
            items.AddRange(content.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => System.Text.Json.JsonDocument.Parse(line).RootElement.GetProperty("itemId").GetString()!));
        }

        items.Sort(StringComparer.Ordinal);
        return items;
    }
}
