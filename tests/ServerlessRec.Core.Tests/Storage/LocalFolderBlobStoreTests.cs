using System.Diagnostics;
using System.Globalization;
using System.Text;
using ServerlessRec.Storage;
using ServerlessRec.Tests.Storage;

namespace ServerlessRec.Core.Tests.Storage;

public sealed class LocalFolderBlobStoreTests : BlobStoreContractTests
{
    private readonly string _root = Directory.CreateTempSubdirectory("serverlessrec-blobs-").FullName;

    protected override Task<IBlobStore> CreateStoreAsync() => Task.FromResult<IBlobStore>(CreateSut());

    protected override Task CleanUpAsync(IReadOnlyList<string> containers)
    {
        Directory.Delete(_root, recursive: true);
        return Task.CompletedTask;
    }

    private LocalFolderBlobStore CreateSut() => new(new StorageOptions { LocalRoot = _root });

    [Fact]
    public async Task AppendAsync_BlobHoldsTheMostBlocks_ThrowsAppendBlobFullAndKeepsContent()
    {
        string container = NewContainer();
        LocalFolderBlobStore store = new(new StorageOptions { LocalRoot = _root }, maxAppendBlocks: 3);
        for (int i = 0; i < 3; i++)
        {
            await store.AppendAsync(container, "log.jsonl", Utf8($"{i}\n"));
        }

        await Assert.ThrowsAsync<AppendBlobFullException>(() => store.AppendAsync(container, "log.jsonl", Utf8("3\n")));

        Assert.Equal("0\n1\n2\n", Text((await store.ReadAsync(container, "log.jsonl"))!));
        await store.AppendAsync(container, "log-0001.jsonl", Utf8("3\n"));
        await store.WriteAsync(container, "log.jsonl", Utf8("replaced\n"));
        Assert.Equal("replaced\n", Text((await store.ReadAsync(container, "log.jsonl"))!));
    }

    [Fact]
    public async Task AppendAsync_ContentLongerThanOneBlock_CountsEveryBlockAgainstTheLimit()
    {
        string container = NewContainer();
        LocalFolderBlobStore small = new(new StorageOptions { LocalRoot = _root }, maxAppendBlocks: 2);

        // A content of more than one block counts as several, as Azure splits it.
        await small.AppendAsync(container, "big.bin", new byte[BlobAppendLimits.MaxBlockBytes + 1]);
        await Assert.ThrowsAsync<AppendBlobFullException>(() => small.AppendAsync(container, "big.bin", Utf8("x")));
        Assert.Throws<ArgumentOutOfRangeException>(() => new LocalFolderBlobStore(new StorageOptions { LocalRoot = _root }, BlobAppendLimits.MaxBlocksPerBlob + 1));
    }

    [Fact]
    public async Task ListAsync_CrashLeftoverTempFile_IsNotListed()
    {
        string container = NewContainer();
        await Store.WriteAsync(container, "catalog/items.jsonl", Utf8("{}"));
        await File.WriteAllTextAsync(Path.Combine(_root, LocalFolderBlobStore.TempFolderName, "0123456789abcdef.tmp"), "half a write");

        List<BlobEntry> entries = await ListAllAsync(container);

        Assert.Equal(["catalog/items.jsonl"], entries.Select(e => e.Name));
        Assert.Equal("{}", Text((await Store.ReadAsync(container, "catalog/items.jsonl"))!));
    }

    [Fact]
    public async Task WriteAsync_Completed_LeavesOnlyTheBlobFileInTheContainerFolder()
    {
        string container = NewContainer();

        await Store.WriteAsync(container, "a/b.json", Utf8("{}"));
        await Store.UploadAsync(container, "a/c.bin", new MemoryStream(new byte[10]));
        await Store.AppendAsync(container, "a/d.jsonl", Utf8("x\n"));

        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(_root, LocalFolderBlobStore.TempFolderName)));
        string[] files = Directory.EnumerateFiles(Path.Combine(_root, container), "*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(Path.Combine(_root, container), f).Replace('\\', '/'))
            .Order(StringComparer.Ordinal)
            .ToArray();
        Assert.Equal(["a/b.json", "a/c.bin", "a/d.jsonl"], files);
        Assert.Equal("{}", await File.ReadAllTextAsync(Path.Combine(_root, container, "a", "b.json")));
    }

    [Fact]
    public async Task ReadAsync_FilePutIntoFolderByHand_ReturnsItWithStableETag()
    {
        string container = NewContainer();
        Directory.CreateDirectory(Path.Combine(_root, container, "catalog"));
        await File.WriteAllTextAsync(Path.Combine(_root, container, "catalog", "items.jsonl"), "{\"itemId\":\"m1\"}\n");

        StoredBlob? blob = await Store.ReadAsync(container, "catalog/items.jsonl");
        BlobEntry? entry = await Store.GetPropertiesAsync(container, "catalog/items.jsonl");

        Assert.Equal("{\"itemId\":\"m1\"}\n", Text(blob!));
        Assert.Equal(blob!.ETag, entry!.ETag);
        await Store.WriteAsync(container, "catalog/items.jsonl", Utf8("replaced"), BlobWriteCondition.Matching(blob.ETag));
    }

    [Fact]
    public async Task ReadAsync_NameSegmentLongerThanTheFileSystemAllowsInAnExistingFolder_IsMissing()
    {
        string container = NewContainer();
        LocalFolderBlobStore store = CreateSut();
        await store.WriteAsync(container, "users/e4/short.json", Utf8("{}"));
        string tooLong = "users/e4/" + new string('x', 300) + ".json";

        Assert.Null(await store.ReadAsync(container, tooLong));
        Assert.Null(await store.OpenReadAsync(container, tooLong));
        Assert.Null(await store.GetPropertiesAsync(container, tooLong));
        Assert.False(await store.DeleteAsync(container, tooLong));
    }

    [Fact]
    public async Task WriteAsync_NameBelowAnExistingBlob_ThrowsIOExceptionNamingBoth()
    {
        string container = NewContainer();
        await Store.WriteAsync(container, "models/v1", Utf8("a blob, not a folder"));

        IOException ex = await Assert.ThrowsAsync<IOException>(() => Store.WriteAsync(container, "models/v1/model.json", Utf8("{}")));

        Assert.Contains("\"models/v1\"", ex.Message, StringComparison.Ordinal);
        Assert.Contains("\"models/v1/model.json\"", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DeleteAsync_LastBlobOfAFolder_LetsABlobTakeTheFolderName()
    {
        string container = NewContainer();
        await Store.WriteAsync(container, "models/v1/model.json", Utf8("{}"));
        await Store.DeleteAsync(container, "models/v1/model.json");

        await Store.WriteAsync(container, "models/v1", Utf8("now a blob"));

        Assert.Equal("now a blob", Text((await Store.ReadAsync(container, "models/v1"))!));
    }

    [Fact]
    public async Task WriteAsync_TwoStoresOnOneFolderReadModifyWrite_LoseNoIncrement()
    {
        // Two instances share no in-process semaphore: only the OS file lock keeps them apart, as for two processes.
        LocalFolderBlobStore first = CreateSut();
        LocalFolderBlobStore second = CreateSut();
        string container = NewContainer();
        await first.WriteAsync(container, "counter.txt", Utf8("0"));

        await Task.WhenAll(Enumerable.Range(0, 20).Select(i => Task.Run(async () =>
        {
            IBlobStore store = i % 2 == 0 ? first : second;
            for (int n = 0; n < 5; n++)
            {
                await IncrementAsync(store, container, "counter.txt");
            }
        })));

        Assert.Equal("100", Text((await first.ReadAsync(container, "counter.txt"))!));
    }

    [Fact]
    public async Task AppendAsync_TwoStoresOnOneFolderInParallel_KeepsEveryRecordWhole()
    {
        LocalFolderBlobStore first = CreateSut();
        LocalFolderBlobStore second = CreateSut();
        string container = NewContainer();

        await Task.WhenAll(Enumerable.Range(0, 40).Select(i => Task.Run(() =>
            (i % 2 == 0 ? first : second).AppendAsync(container, "log.jsonl", Utf8($"{i:D2}{new string('x', 5000)}\n")))));

        string[] lines = Encoding.UTF8.GetString((await first.ReadAsync(container, "log.jsonl"))!.Content.Span).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(Enumerable.Range(0, 40).Select(i => i.ToString("D2", CultureInfo.InvariantCulture)), lines.Select(l => l[..2]).Order(StringComparer.Ordinal));
        Assert.All(lines, l => Assert.Equal(5002, l.Length));
    }

    [Fact]
    public async Task WriteAsync_TwoProcessesReadModifyWriteAndAppend_LoseNothing()
    {
        const int PerProcess = 40;
        string container = NewContainer();
        await Store.WriteAsync(container, "counter.txt", Utf8("0"));
        ProcessStartInfo start = new(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string argument in new[]
        {
            "exec", typeof(TestProgram).Assembly.Location,
            TestProgram.BlobStoreWorkerVerb, _root, container, PerProcess.ToString(CultureInfo.InvariantCulture), "child",
        })
        {
            start.ArgumentList.Add(argument);
        }

        using Process child = Process.Start(start)!;
        Task<string> childErrors = child.StandardError.ReadToEndAsync();
        Assert.Equal(TestProgram.WorkerReadyLine, await child.StandardOutput.ReadLineAsync());
        for (int i = 0; i < PerProcess; i++)
        {
            await IncrementAsync(Store, container, "counter.txt");
            await Store.AppendAsync(container, "log.jsonl", Utf8(TestProgram.CrossProcessRecord("parent", i)));
        }

        using CancellationTokenSource timeout = new(TimeSpan.FromMinutes(2));
        await child.WaitForExitAsync(timeout.Token);
        Assert.True(child.ExitCode == 0, $"the worker process failed: {await childErrors}");
        Assert.Equal((2 * PerProcess).ToString(CultureInfo.InvariantCulture), Text((await Store.ReadAsync(container, "counter.txt"))!));
        string[] expected = Enumerable.Range(0, PerProcess)
            .SelectMany(i => new[] { TestProgram.CrossProcessRecord("parent", i), TestProgram.CrossProcessRecord("child", i) })
            .Select(r => r.TrimEnd('\n'))
            .Order(StringComparer.Ordinal)
            .ToArray();
        string[] lines = Text((await Store.ReadAsync(container, "log.jsonl"))!).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(expected, lines.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task OpenReadAsync_AppendAfterOpening_StreamEndsWhereTheBlobEndedWhenOpened()
    {
        string container = NewContainer();
        await Store.AppendAsync(container, "log.jsonl", Utf8("line 1\n"));
        await using Stream stream = (await Store.OpenReadAsync(container, "log.jsonl"))!;

        await Store.AppendAsync(container, "log.jsonl", Utf8("line 2\n"));

        using StreamReader reader = new(stream, Encoding.UTF8);
        Assert.Equal("line 1\n", await reader.ReadToEndAsync());
    }

    [Fact]
    public void Constructor_EmptyLocalRoot_ThrowsArgumentException()
    {
        ArgumentException ex = Assert.Throws<ArgumentException>(() => new LocalFolderBlobStore(new StorageOptions { LocalRoot = " " }));

        Assert.Contains("LocalRoot", ex.Message, StringComparison.Ordinal);
    }
}
