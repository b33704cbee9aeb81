using Microsoft.Extensions.Configuration;
using ServerlessRec.Catalog;
using ServerlessRec.Storage;

namespace ServerlessRec.Cli.Tests.Commands;

/// <summary><c>items import FILE</c>: a catalog file stored as catalog updates, as <c>PUT /api/items</c> stores them.</summary>
public sealed class ItemsCommandTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), $"serverlessrec-items-{Guid.NewGuid():N}");

    public ItemsCommandTests() => Directory.CreateDirectory(_root);

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task ItemsImport_JsonLinesFileOfMoreThanOneRequest_StoresEveryItemInBatchesOf1000()
    {
        var store = Path.Combine(_root, "store");
        var file = Path.Combine(_root, "items.jsonl");
        await File.WriteAllLinesAsync(file, Enumerable.Range(0, 1500).Select(i => $$"""{"itemId":"p{{i}}","title":"P {{i}}","categories":["c{{i % 3}}"],"tags":[],"available":{{(i == 7 ? "false" : "true")}}}"""));

        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await CliApplication.RunAsync(["items", "import", file, "--root", store], output, error);

        Assert.True(code == 0, error.ToString());
        Assert.Contains("imported 1,500 items", output.ToString(), StringComparison.Ordinal);
        var blobs = await new CatalogUpdateStore(new LocalFolderBlobStore(new StorageOptions { LocalRoot = store }), TimeProvider.System).ReadAllAsync();
        Assert.Equal([1000, 500], blobs.Select(b => b.Items.Count));
        Assert.False(blobs[0].Items[7].Available);
        Assert.Equal(["c2"], blobs[1].Items[^1].Categories);
    }

    [Fact]
    public async Task ItemsImport_AzureAISearchConfigured_MergesIntoTheLiveVersionsIndexLikePut()
    {
        // No search service listens on the endpoint: the merge PUT /api/items makes is tried and fails, after the update
        // blob (the commit point) was written. Embedded-only, the import would succeed without any request.
        var store = Path.Combine(_root, "store");
        await KeptVersions.PublishAsync(store);
        var file = Path.Combine(_root, "items.jsonl");
        await File.WriteAllLinesAsync(file, ["""{"itemId":"fresh","categories":["c1"],"tags":[]}"""]);
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Search:Provider"] = "AzureAISearch",
            ["Search:Endpoint"] = "https://127.0.0.1:1/",
            ["Search:ApiKey"] = "test-admin-key",
            ["Search:MaxRetries"] = "0",
            ["Search:RetryDelay"] = "00:00:00.001",
            ["Search:MaxRetryDelay"] = "00:00:00.005",
        }).Build();

        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await CliApplication.RunAsync(["items", "import", file, "--root", store], output, error, configuration);

        Assert.Equal(1, code);
        Assert.Contains("Azure AI Search index failed", error.ToString(), StringComparison.Ordinal);
        var blobs = await new CatalogUpdateStore(new LocalFolderBlobStore(new StorageOptions { LocalRoot = store }), TimeProvider.System).ReadAllAsync();
        Assert.Equal("fresh", Assert.Single(Assert.Single(blobs).Items).ItemId);
    }

    [Fact]
    public async Task Items_WithoutImportFile_IsAUsageError()
    {
        using var output = new StringWriter();
        using var error = new StringWriter();

        var code = await CliApplication.RunAsync(["items", "import"], output, error);

        Assert.Equal(2, code);
        Assert.Contains("items import FILE", error.ToString(), StringComparison.Ordinal);
    }
}
