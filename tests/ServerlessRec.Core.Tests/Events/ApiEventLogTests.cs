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
}
