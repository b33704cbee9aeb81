using System.Text;
using ServerlessRec.Serving;
using ServerlessRec.Storage;

namespace ServerlessRec.Core.Tests.Http;

/// <summary>Posted events keep whole seconds, as the log's readers, the dataset and seeded histories do.</summary>
public sealed class PostEventsTimestampTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "srec-post-seconds-" + Guid.NewGuid().ToString("N"));
    private readonly LocalFolderBlobStore _store;

    public PostEventsTimestampTests() => _store = new LocalFolderBlobStore(new StorageOptions { LocalRoot = _root });

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    [Fact]
    public async Task PostEvents_FractionalSecondsAndOffset_AreStoredAsWholeUtcSecondsInHistoryAndLog()
    {
        using var harness = new EndpointHarness(_store);

        var answer = await harness.SendAsync("PostEvents", """{"events":[{"userId":"frac","itemId":"i1","type":"view","timestamp":"2026-11-28T11:15:00.750+01:00"}]}""");
        var history = await new UserHistoryStore(_store).ReadAsync("frac");
        var log = new StringBuilder();
        await foreach (var blob in _store.ListAsync(ContainerNames.Events))
        {
            log.Append(Encoding.UTF8.GetString((await _store.ReadAsync(ContainerNames.Events, blob.Name))!.Content.Span));
        }

        Assert.Equal(202, answer.Status);
        var stored = Assert.Single(history.Events).Timestamp;
        Assert.Equal(DateTimeOffset.Parse("2026-11-28T10:15:00Z", System.Globalization.CultureInfo.InvariantCulture), stored);
        Assert.Equal(TimeSpan.Zero, stored.Offset);
        Assert.Contains("2026-11-28T10:15:00Z", log.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(".75", log.ToString(), StringComparison.Ordinal);
    }
}
