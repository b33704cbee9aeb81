using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using ServerlessRec.Storage;

namespace ServerlessRec.Tests.Storage;

/// <summary>
/// The behaviour every <see cref="IBlobStore"/> must show. Each backend's test class derives from this
/// one, so the local folder and Azure Blob Storage (Azurite) are held to the same contract.
/// </summary>
public abstract class BlobStoreContractTests : IAsyncLifetime
{
    private readonly List<string> _containers = [];
    private IBlobStore? _store;

    protected IBlobStore Store => _store ?? throw new InvalidOperationException("InitializeAsync has not run.");

    public async Task InitializeAsync() => _store = await CreateStoreAsync();

    public Task DisposeAsync() => CleanUpAsync(_containers);

    /// <summary>Creates the store under test; called once per test.</summary>
    protected abstract Task<IBlobStore> CreateStoreAsync();

    /// <summary>Removes what the test created: the containers it named.</summary>
    protected abstract Task CleanUpAsync(IReadOnlyList<string> containers);

    /// <summary>A container name no other test uses.</summary>
    protected string NewContainer()
    {
        string name = "t" + RandomNumberGenerator.GetHexString(16, lowercase: true);
        _containers.Add(name);
        return name;
    }

    protected static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    protected static string Text(StoredBlob blob) => Encoding.UTF8.GetString(blob.Content.Span);

    protected async Task<List<BlobEntry>> ListAllAsync(string container, string prefix = "")
    {
        List<BlobEntry> entries = [];
        await foreach (BlobEntry entry in Store.ListAsync(container, prefix))
        {
            entries.Add(entry);
        }

        return entries;
    }

    [Fact]
    public async Task ReadRangeAsync_SliceInsideAndAcrossTheEnd_ReturnsThoseBytes()
    {
        string container = NewContainer();
        await Store.WriteAsync(container, "models/v1/vectors.bin", Utf8("0123456789"));

        byte[]? middle = await Store.ReadRangeAsync(container, "models/v1/vectors.bin", 3, 4);
        byte[]? tail = await Store.ReadRangeAsync(container, "models/v1/vectors.bin", 8, 5);
        byte[]? past = await Store.ReadRangeAsync(container, "models/v1/vectors.bin", 10, 2);
        byte[]? missing = await Store.ReadRangeAsync(container, "models/v1/none.bin", 0, 2);

        Assert.Equal("3456", Encoding.UTF8.GetString(middle!));
        Assert.Equal("89", Encoding.UTF8.GetString(tail!));
        Assert.Empty(past!);
        Assert.Null(missing);
    }

    [Fact]
    public async Task ReadAsync_MissingBlob_ReturnsNull()
    {
        string container = NewContainer();
        await Store.WriteAsync(container, "present.txt", Utf8("x"));

        Assert.Null(await Store.ReadAsync(container, "absent.txt"));
    }

    [Fact]
    public async Task ReadAsync_MissingContainer_ReturnsNull()
    {
        Assert.Null(await Store.ReadAsync(NewContainer(), "absent.txt"));
        Assert.Null(await Store.OpenReadAsync(NewContainer(), "absent.txt"));
        Assert.Null(await Store.GetPropertiesAsync(NewContainer(), "absent.txt"));
    }

    [Fact]
    public async Task ReadAsync_NameIsOnlyAPrefixOfBlobs_ReturnsNull()
    {
        string container = NewContainer();
        await Store.WriteAsync(container, "models/v1/model.json", Utf8("{}"));

        Assert.Null(await Store.ReadAsync(container, "models/v1"));
        Assert.Null(await Store.GetPropertiesAsync(container, "models"));
    }

    [Fact]
    public async Task WriteAsync_ThenReadAsync_ReturnsContentAndSameETag()
    {
        string container = NewContainer();

        string etag = await Store.WriteAsync(container, "catalog/items.jsonl", Utf8("{\"itemId\":\"m1\"}\n"));
        StoredBlob? blob = await Store.ReadAsync(container, "catalog/items.jsonl");

        Assert.NotNull(blob);
        Assert.Equal("{\"itemId\":\"m1\"}\n", Text(blob));
        Assert.Equal(etag, blob.ETag);
    }

    [Fact]
    public async Task WriteAsync_EmptyContent_StoresEmptyBlob()
    {
        string container = NewContainer();

        await Store.WriteAsync(container, "empty.bin", ReadOnlyMemory<byte>.Empty);

        StoredBlob? blob = await Store.ReadAsync(container, "empty.bin");
        Assert.NotNull(blob);
        Assert.Equal(0, blob.Content.Length);
        Assert.Equal(0, (await Store.GetPropertiesAsync(container, "empty.bin"))!.Size);
    }

    [Fact]
    public async Task OpenReadAsync_ExistingBlob_StreamsContent()
    {
        string container = NewContainer();
        await Store.WriteAsync(container, "users/ab/u42.json", Utf8("{\"history\":[1,2,3]}"));

        await using Stream? stream = await Store.OpenReadAsync(container, "users/ab/u42.json");

        Assert.NotNull(stream);
        using StreamReader reader = new(stream, Encoding.UTF8);
        Assert.Equal("{\"history\":[1,2,3]}", await reader.ReadToEndAsync());
    }

    [Fact]
    public async Task WriteAsync_SameContentTwice_ReturnsNewETagEachTime()
    {
        string container = NewContainer();

        string first = await Store.WriteAsync(container, "current.json", Utf8("same"));
        string second = await Store.WriteAsync(container, "current.json", Utf8("same"));
        string third = await Store.WriteAsync(container, "current.json", Utf8("other"));

        Assert.Equal(3, new HashSet<string>([first, second, third]).Count);
        Assert.Equal(third, (await Store.ReadAsync(container, "current.json"))!.ETag);
    }

    [Fact]
    public async Task WriteAsync_ReturnedETag_EqualsETagOfPropertiesAndListing()
    {
        string container = NewContainer();

        string etag = await Store.WriteAsync(container, "runs/r1.json", Utf8("{}"));

        Assert.StartsWith("\"", etag, StringComparison.Ordinal);
        Assert.EndsWith("\"", etag, StringComparison.Ordinal);
        Assert.Equal(etag, (await Store.GetPropertiesAsync(container, "runs/r1.json"))!.ETag);
        Assert.Equal(etag, Assert.Single(await ListAllAsync(container)).ETag);
    }

    [Fact]
    public async Task WriteAsync_IfMatchCurrentETag_Replaces()
    {
        string container = NewContainer();
        string etag = await Store.WriteAsync(container, "current.json", Utf8("v1"));

        string next = await Store.WriteAsync(container, "current.json", Utf8("v2"), BlobWriteCondition.Matching(etag));

        StoredBlob? blob = await Store.ReadAsync(container, "current.json");
        Assert.Equal("v2", Text(blob!));
        Assert.Equal(next, blob!.ETag);
    }

    [Fact]
    public async Task WriteAsync_IfMatchStaleETag_ThrowsBlobConditionFailedAndKeepsContent()
    {
        string container = NewContainer();
        string stale = await Store.WriteAsync(container, "current.json", Utf8("v1"));
        await Store.WriteAsync(container, "current.json", Utf8("v2"));

        await Assert.ThrowsAsync<BlobConditionFailedException>(
            () => Store.WriteAsync(container, "current.json", Utf8("v3"), BlobWriteCondition.Matching(stale)));

        Assert.Equal("v2", Text((await Store.ReadAsync(container, "current.json"))!));
    }

    [Fact]
    public async Task WriteAsync_IfMatchOverAnAppendBlob_FailsAfterAConcurrentAppendAndReplacesOnceReadAgain()
    {
        // The purge of forgotten users rewrites API log blobs (append blobs) this way: an append between its read and its
        // write must make the write fail, never be lost.
        string container = NewContainer();
        await Store.AppendAsync(container, "api.jsonl", Utf8("a\nforgotten\n"));
        string read = (await Store.ReadAsync(container, "api.jsonl"))!.ETag;
        await Store.AppendAsync(container, "api.jsonl", Utf8("b\n"));

        await Assert.ThrowsAsync<BlobConditionFailedException>(
            () => Store.WriteAsync(container, "api.jsonl", Utf8("a\n"), BlobWriteCondition.Matching(read)));
        StoredBlob again = (await Store.ReadAsync(container, "api.jsonl"))!;
        Assert.Equal("a\nforgotten\nb\n", Text(again));
        await Store.WriteAsync(container, "api.jsonl", Utf8("a\nb\n"), BlobWriteCondition.Matching(again.ETag));

        Assert.Equal("a\nb\n", Text((await Store.ReadAsync(container, "api.jsonl"))!));
    }

    [Fact]
    public async Task WriteAsync_IfMatchOnMissingBlob_ThrowsBlobConditionFailed()
    {
        string container = NewContainer();
        string etag = await Store.WriteAsync(container, "other.json", Utf8("x"));

        await Assert.ThrowsAsync<BlobConditionFailedException>(
            () => Store.WriteAsync(container, "missing.json", Utf8("v1"), BlobWriteCondition.Matching(etag)));

        Assert.Null(await Store.ReadAsync(container, "missing.json"));
    }

    [Fact]
    public async Task WriteAsync_IfNotExistsOnMissingBlob_Creates()
    {
        string container = NewContainer();

        string etag = await Store.WriteAsync(container, "runs/r1.json", Utf8("first"), BlobWriteCondition.CreateOnly);

        Assert.Equal(etag, (await Store.ReadAsync(container, "runs/r1.json"))!.ETag);
    }

    [Fact]
    public async Task WriteAsync_IfNotExistsOnExistingBlob_ThrowsBlobConditionFailedAndKeepsContent()
    {
        string container = NewContainer();
        await Store.WriteAsync(container, "runs/r1.json", Utf8("first"));

        await Assert.ThrowsAsync<BlobConditionFailedException>(
            () => Store.WriteAsync(container, "runs/r1.json", Utf8("second"), BlobWriteCondition.CreateOnly));

        Assert.Equal("first", Text((await Store.ReadAsync(container, "runs/r1.json"))!));
    }

    [Fact]
    public async Task WriteAsync_IfMatchAndIfNotExistsTogether_ThrowsArgumentException()
    {
        string container = NewContainer();

        await Assert.ThrowsAsync<ArgumentException>(
            () => Store.WriteAsync(container, "x.json", Utf8("x"), new BlobWriteCondition("\"0x1\"", IfNotExists: true)));
    }

    [Fact]
    public async Task WriteAsync_ParallelCreateOnly_ExactlyOneWins()
    {
        string container = NewContainer();
        await Store.WriteAsync(container, "warmup.txt", Utf8("x"));

        Task<string>[] writers = Enumerable.Range(0, 10)
            .Select(i => Task.Run(() => Store.WriteAsync(container, "lease.json", Utf8($"writer {i}"), BlobWriteCondition.CreateOnly)))
            .ToArray();
        int failures = 0;
        foreach (Task<string> writer in writers)
        {
            try
            {
                await writer;
            }
            catch (BlobConditionFailedException)
            {
                failures++;
            }
        }

        Assert.Equal(writers.Length - 1, failures);
    }

    [Fact]
    public async Task WriteAsync_ParallelReadModifyWriteWithIfMatchAndRetry_LosesNoIncrement()
    {
        const int Workers = 20;
        const int IncrementsPerWorker = 5;
        string container = NewContainer();
        await Store.WriteAsync(container, "counter.txt", Utf8("0"));

        await Task.WhenAll(Enumerable.Range(0, Workers).Select(_ => Task.Run(async () =>
        {
            for (int i = 0; i < IncrementsPerWorker; i++)
            {
                await IncrementAsync(Store, container, "counter.txt");
            }
        })));

        Assert.Equal((Workers * IncrementsPerWorker).ToString(CultureInfo.InvariantCulture), Text((await Store.ReadAsync(container, "counter.txt"))!));
    }

    /// <summary>The optimistic-concurrency loop callers use: read, change, write if unchanged, else retry.</summary>
    public static async Task IncrementAsync(IBlobStore store, string container, string name)
    {
        while (true)
        {
            StoredBlob current = (await store.ReadAsync(container, name))!;
            int value = int.Parse(Encoding.UTF8.GetString(current.Content.Span), CultureInfo.InvariantCulture);
            try
            {
                await store.WriteAsync(container, name, Utf8((value + 1).ToString(CultureInfo.InvariantCulture)), BlobWriteCondition.Matching(current.ETag));
                return;
            }
            catch (BlobConditionFailedException)
            {
                // Someone else won this round: read again.
            }
        }
    }

    [Fact]
    public async Task UploadAsync_MultiMegabyteStream_RoundTripsWithSize()
    {
        string container = NewContainer();
        byte[] content = new byte[(6 * 1024 * 1024) + 123];
        new Random(42).NextBytes(content);

        string etag = await Store.UploadAsync(container, "models/v1/item_tower.onnx", new MemoryStream(content));

        StoredBlob? blob = await Store.ReadAsync(container, "models/v1/item_tower.onnx");
        Assert.NotNull(blob);
        Assert.Equal(etag, blob.ETag);
        Assert.True(content.AsSpan().SequenceEqual(blob.Content.Span), "the uploaded bytes differ from the bytes read back");
        BlobEntry? properties = await Store.GetPropertiesAsync(container, "models/v1/item_tower.onnx");
        Assert.Equal(content.Length, properties!.Size);
    }

    [Fact]
    public async Task UploadAsync_OverExistingBlob_ReplacesItWithNewETag()
    {
        string container = NewContainer();
        string first = await Store.WriteAsync(container, "models/current.json", Utf8("{\"version\":\"v1\"}"));

        string second = await Store.UploadAsync(container, "models/current.json", new MemoryStream(Utf8("{\"version\":\"v2\"}")));

        Assert.NotEqual(first, second);
        Assert.Equal("{\"version\":\"v2\"}", Text((await Store.ReadAsync(container, "models/current.json"))!));
    }

    [Fact]
    public async Task GetPropertiesAsync_ExistingBlob_ReturnsNameSizeETagAndTime()
    {
        string container = NewContainer();
        string etag = await Store.WriteAsync(container, "catalog/items.jsonl", new byte[1234]);

        BlobEntry? entry = await Store.GetPropertiesAsync(container, "catalog/items.jsonl");

        Assert.NotNull(entry);
        Assert.Equal("catalog/items.jsonl", entry.Name);
        Assert.Equal(1234, entry.Size);
        Assert.Equal(etag, entry.ETag);
        Assert.InRange(entry.LastModified, DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddHours(1));
    }

    [Fact]
    public async Task DeleteAsync_ExistingBlob_ReturnsTrueAndRemovesIt()
    {
        string container = NewContainer();
        await Store.WriteAsync(container, "quarantine/r1/bad.jsonl", Utf8("x"));

        Assert.True(await Store.DeleteAsync(container, "quarantine/r1/bad.jsonl"));

        Assert.Null(await Store.ReadAsync(container, "quarantine/r1/bad.jsonl"));
        Assert.Empty(await ListAllAsync(container));
    }

    [Fact]
    public async Task DeleteAsync_MissingBlob_ReturnsFalse()
    {
        string container = NewContainer();
        string etag = await Store.WriteAsync(container, "other.txt", Utf8("x"));

        Assert.False(await Store.DeleteAsync(container, "missing.txt"));
        Assert.False(await Store.DeleteAsync(container, "missing.txt", ifMatch: etag));
        Assert.False(await Store.DeleteAsync(NewContainer(), "missing.txt"));
    }

    [Fact]
    public async Task DeleteAsync_IfMatchCurrentETag_Deletes()
    {
        string container = NewContainer();
        string etag = await Store.WriteAsync(container, "current.json", Utf8("v1"));

        Assert.True(await Store.DeleteAsync(container, "current.json", ifMatch: etag));

        Assert.Null(await Store.ReadAsync(container, "current.json"));
    }

    [Fact]
    public async Task DeleteAsync_IfMatchStaleETag_ThrowsBlobConditionFailedAndKeepsBlob()
    {
        string container = NewContainer();
        string stale = await Store.WriteAsync(container, "current.json", Utf8("v1"));
        await Store.WriteAsync(container, "current.json", Utf8("v2"));

        await Assert.ThrowsAsync<BlobConditionFailedException>(() => Store.DeleteAsync(container, "current.json", ifMatch: stale));

        Assert.Equal("v2", Text((await Store.ReadAsync(container, "current.json"))!));
    }

    [Fact]
    public async Task DeleteAsync_ThenWriteCreateOnly_CreatesAgain()
    {
        string container = NewContainer();
        await Store.WriteAsync(container, "a/b.txt", Utf8("1"));
        await Store.DeleteAsync(container, "a/b.txt");

        await Store.WriteAsync(container, "a/b.txt", Utf8("2"), BlobWriteCondition.CreateOnly);

        Assert.Equal("2", Text((await Store.ReadAsync(container, "a/b.txt"))!));
    }

    [Fact]
    public async Task ListAsync_Prefix_ReturnsMatchingBlobsInOrdinalOrder()
    {
        string container = NewContainer();
        string[] names =
        [
            "events/2026/11/28/10/web-2.jsonl",
            "events/2026/11/28/10/web-10.jsonl",
            "events/2026/11/28/10/Web Upper.jsonl",
            "events/2026/11/28/10/été.jsonl",
            "events/2026/11/28/10/日本.jsonl",
            "events/2026/11/28/10/with space.jsonl",
            "events/2026/11/28/10/sub/deep.jsonl",
            "events/2026/11/28/11/web-1.jsonl",
            "events/2026/11/28/100.jsonl",
            "catalog/items.jsonl",
        ];
        foreach (string name in names.Reverse())
        {
            await Store.WriteAsync(container, name, Utf8(name));
        }

        List<BlobEntry> hour10 = await ListAllAsync(container, "events/2026/11/28/10/");
        List<BlobEntry> partial = await ListAllAsync(container, "events/2026/11/28/1");
        List<BlobEntry> all = await ListAllAsync(container);

        string[] expectedHour10 = names.Where(n => n.StartsWith("events/2026/11/28/10/", StringComparison.Ordinal)).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(expectedHour10, hour10.Select(e => e.Name));
        Assert.Equal(
            names.Where(n => n.StartsWith("events/2026/11/28/1", StringComparison.Ordinal)).Order(StringComparer.Ordinal),
            partial.Select(e => e.Name));
        Assert.Equal(names.Order(StringComparer.Ordinal), all.Select(e => e.Name));
        Assert.All(all, e => Assert.Equal(Encoding.UTF8.GetByteCount(e.Name), e.Size));
    }

    [Fact]
    public async Task ListAsync_PrefixMatchingNothing_ReturnsEmpty()
    {
        string container = NewContainer();
        await Store.WriteAsync(container, "a/b.txt", Utf8("x"));

        Assert.Empty(await ListAllAsync(container, "b/"));
        Assert.Empty(await ListAllAsync(container, "a/c"));
        Assert.Empty(await ListAllAsync(NewContainer()));
    }

    [Fact]
    public async Task AppendAsync_MissingBlob_CreatesIt()
    {
        string container = NewContainer();

        await Store.AppendAsync(container, "events/2026/11/28/10/web-1.jsonl", Utf8("line 1\n"));

        Assert.Equal("line 1\n", Text((await Store.ReadAsync(container, "events/2026/11/28/10/web-1.jsonl"))!));
    }

    [Fact]
    public async Task AppendAsync_ExistingBlob_AppendsInOrderAndChangesETag()
    {
        string container = NewContainer();
        await Store.AppendAsync(container, "log.jsonl", Utf8("line 1\n"));
        string before = (await Store.GetPropertiesAsync(container, "log.jsonl"))!.ETag;

        await Store.AppendAsync(container, "log.jsonl", Utf8("line 2\n"));

        StoredBlob? blob = await Store.ReadAsync(container, "log.jsonl");
        Assert.Equal("line 1\nline 2\n", Text(blob!));
        Assert.NotEqual(before, blob!.ETag);
    }

    [Fact]
    public async Task AppendAsync_EmptyContentOnMissingBlob_CreatesEmptyBlob()
    {
        string container = NewContainer();

        await Store.AppendAsync(container, "log.jsonl", ReadOnlyMemory<byte>.Empty);

        Assert.Equal(0, (await Store.GetPropertiesAsync(container, "log.jsonl"))!.Size);
    }

    [Fact]
    public async Task AppendAsync_FiftyParallelAppends_KeepsEveryRecordWhole()
    {
        const int Appenders = 50;
        string container = NewContainer();
        await Store.AppendAsync(container, "log.jsonl", ReadOnlyMemory<byte>.Empty);
        string Record(int i) => $"{{\"record\":{i},\"padding\":\"{new string((char)('a' + (i % 26)), 3000)}\"}}\n";

        await Task.WhenAll(Enumerable.Range(0, Appenders).Select(i => Task.Run(() => Store.AppendAsync(container, "log.jsonl", Utf8(Record(i))))));

        string[] lines = Text((await Store.ReadAsync(container, "log.jsonl"))!).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(Appenders, lines.Length);
        Assert.Equal(
            Enumerable.Range(0, Appenders).Select(i => Record(i).TrimEnd('\n')).Order(StringComparer.Ordinal),
            lines.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task AppendAsync_ContentLargerThanOneAppendBlock_AppendsAllOfIt()
    {
        string container = NewContainer();
        byte[] big = new byte[(5 * 1024 * 1024) + 17];
        new Random(7).NextBytes(big);
        await Store.AppendAsync(container, "big.bin", Utf8("head"));

        await Store.AppendAsync(container, "big.bin", big);

        StoredBlob? blob = await Store.ReadAsync(container, "big.bin");
        Assert.Equal(4 + big.Length, blob!.Content.Length);
        Assert.True(big.AsSpan().SequenceEqual(blob.Content.Span[4..]), "the appended bytes differ from the bytes read back");
    }

    [Fact]
    public async Task AppendAsync_BlobWrittenWhole_ThrowsInvalidOperationException()
    {
        string container = NewContainer();
        await Store.WriteAsync(container, "catalog/items.jsonl", Utf8("line 1\n"));

        await Assert.ThrowsAsync<InvalidOperationException>(() => Store.AppendAsync(container, "catalog/items.jsonl", Utf8("line 2\n")));

        Assert.Equal("line 1\n", Text((await Store.ReadAsync(container, "catalog/items.jsonl"))!));
    }

    [Fact]
    public async Task WriteAsync_OverAppendedBlob_ReplacesIt()
    {
        string container = NewContainer();
        await Store.AppendAsync(container, "log.jsonl", Utf8("line 1\n"));

        await Store.WriteAsync(container, "log.jsonl", Utf8("compacted\n"));

        Assert.Equal("compacted\n", Text((await Store.ReadAsync(container, "log.jsonl"))!));
    }

    [Fact]
    public async Task ReadAsync_CanceledToken_ThrowsOperationCanceled()
    {
        string container = NewContainer();
        await Store.WriteAsync(container, "x.txt", Utf8("x"));
        using CancellationTokenSource canceled = new();
        await canceled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Store.ReadAsync(container, "x.txt", canceled.Token));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Store.WriteAsync(container, "x.txt", Utf8("y"), cancellationToken: canceled.Token));
        Assert.Equal("x", Text((await Store.ReadAsync(container, "x.txt"))!));
    }

    [Theory]
    [InlineData("")]
    [InlineData("../escape.txt")]
    [InlineData("a/../../escape.txt")]
    [InlineData("a/./b.txt")]
    [InlineData("/etc/passwd")]
    [InlineData("a\\b.txt")]
    [InlineData("a//b.txt")]
    [InlineData("a/")]
    [InlineData("line\nbreak.txt")]
    [InlineData("nul\0.txt")]
    public async Task WriteAsync_InvalidBlobName_ThrowsArgumentException(string name)
    {
        string container = NewContainer();

        ArgumentException ex = await Assert.ThrowsAsync<ArgumentException>(() => Store.WriteAsync(container, name, Utf8("x")));
        await Assert.ThrowsAsync<ArgumentException>(() => Store.ReadAsync(container, name));
        await Assert.ThrowsAsync<ArgumentException>(() => Store.AppendAsync(container, name, Utf8("x")));
        await Assert.ThrowsAsync<ArgumentException>(() => Store.DeleteAsync(container, name));

        Assert.Equal("name", ex.ParamName);
        Assert.Contains("Blob name", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("ab")]
    [InlineData("Upper")]
    [InlineData("under_score")]
    [InlineData("-leading")]
    [InlineData("trailing-")]
    [InlineData("double--hyphen")]
    [InlineData(".hidden")]
    public async Task WriteAsync_InvalidContainerName_ThrowsArgumentException(string container)
    {
        ArgumentException ex = await Assert.ThrowsAsync<ArgumentException>(() => Store.WriteAsync(container, "x.txt", Utf8("x")));

        Assert.Equal("container", ex.ParamName);
        Assert.Throws<ArgumentException>(() => Store.ListAsync(container));
    }

    [Theory]
    [InlineData("/a")]
    [InlineData("a/../")]
    [InlineData("a\\")]
    public void ListAsync_InvalidPrefix_ThrowsArgumentException(string prefix)
    {
        string container = NewContainer();

        ArgumentException ex = Assert.Throws<ArgumentException>(() => Store.ListAsync(container, prefix));

        Assert.Equal("prefix", ex.ParamName);
    }
}
