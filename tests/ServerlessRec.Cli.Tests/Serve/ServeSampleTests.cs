using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using ServerlessRec.Catalog;
using ServerlessRec.Cli.Commands;
using ServerlessRec.Events;
using ServerlessRec.Retrieval;
using ServerlessRec.Storage;

namespace ServerlessRec.Cli.Tests.Serve;

/// <summary>
/// <c>serve --sample</c> over HTTP: the page and its catalog are served only with the flag, behind the same edge checks
/// as the API, with a content security policy; the catalog is the store's, updates applied.
/// </summary>
public sealed class ServeSampleTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "srec-sample-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    [Fact]
    public void FindFolder_BuiltCli_FindsThePageCopiedNextToIt()
    {
        var folder = SampleStorefront.FindFolder();

        Assert.StartsWith(AppContext.BaseDirectory, folder, StringComparison.Ordinal);
        foreach (var file in new[] { "index.html", "storefront.js", "storefront.css" })
        {
            Assert.True(File.Exists(Path.Combine(folder, file)), file);
        }
    }

    [Fact]
    public async Task Serve_WithoutSample_ServesNoPageAndNoCatalog()
    {
        await using var app = await StartAsync(sample: false);
        using var http = ClientOf(app);

        using var page = await http.GetAsync(new Uri("/", UriKind.Relative));
        using var catalog = await http.GetAsync(new Uri(SampleStorefront.CatalogPath, UriKind.Relative));
        using var script = await http.GetAsync(new Uri("/storefront.js", UriKind.Relative));

        Assert.Equal(HttpStatusCode.NotFound, page.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, catalog.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, script.StatusCode);
        Assert.Equal("application/problem+json", page.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Serve_WithSample_ServesThePageWithAContentSecurityPolicyAndTheApiAsBefore()
    {
        await using var app = await StartAsync(sample: true);
        using var http = ClientOf(app);

        using var page = await http.GetAsync(new Uri("/", UriKind.Relative));
        using var script = await http.GetAsync(new Uri("/storefront.js", UriKind.Relative));
        using var health = await http.GetAsync(new Uri("/api/health", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        Assert.Contains("id=\"for-you-list\"", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var policy = string.Join(";", page.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("default-src 'none'", policy, StringComparison.Ordinal);
        Assert.Contains("script-src 'self'", policy, StringComparison.Ordinal);
        Assert.Contains("connect-src 'self'", policy, StringComparison.Ordinal);
        Assert.Equal("nosniff", page.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal(HttpStatusCode.OK, script.StatusCode);
        Assert.Equal("text/javascript", script.Content.Headers.ContentType?.MediaType);
        // No model in this store: the API's own 503 answers, not a static-file 404.
        Assert.Equal(HttpStatusCode.ServiceUnavailable, health.StatusCode);
    }

    [Fact]
    public async Task Serve_WithSampleAndAForeignHost_RefusesThePage()
    {
        await using var app = await StartAsync(sample: true);
        using var http = ClientOf(app);
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri("/", UriKind.Relative));
        request.Headers.Host = "rebound.example";

        using var response = await http.SendAsync(request);

        // DNS rebinding: a foreign site's name resolving to 127.0.0.1 gets neither the API nor the page.
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task SampleCatalog_CatalogFileAndUpdates_LaterLineWinsAndUnavailableItemsAreLeftOut()
    {
        var store = new LocalFolderBlobStore(new StorageOptions { LocalRoot = _root });
        CatalogItem[] items =
        [
            new("a", "Apple", ["Fruit"], []),
            new("b", "Bread", ["Bakery"], []),
            new("c", "Cheese", ["Dairy"], []),
            new("d", "Dates", ["Fruit"], [], Available: false),
        ];
        await CatalogFileWriter.WriteAsync(new BlobStoreDestination(store, ContainerNames.Catalog), SyntheticLogGenerator.CatalogBlobName, items);
        var updates = new CatalogUpdateStore(store, TimeProvider.System);
        await updates.WriteAsync([new CatalogItem("b", "Sourdough bread", ["Bakery"], []), new CatalogItem("e", "Eggs", ["Dairy"], [])]);
        await updates.WriteAsync([new CatalogItem("c", null, [], [], Available: false) { Deleted = true }]);

        var catalog = await SampleStorefront.ReadCatalogAsync(store, TimeProvider.System);

        Assert.Equal(["a", "b", "e"], catalog.Items.Select(i => i.ItemId));
        Assert.Equal("Sourdough bread", catalog.Items[1].Title);
        Assert.Equal(["Fruit"], catalog.Items[0].Categories);
        Assert.False(catalog.Truncated);
    }

    [Fact]
    public async Task SampleCatalog_OverHttp_ListsTheStoreCatalogAsJson()
    {
        await StorefrontStore.PublishAsync(_root);
        await using var app = await StartAsync(sample: true);
        using var http = ClientOf(app);

        using var document = JsonDocument.Parse(await http.GetStringAsync(new Uri(SampleStorefront.CatalogPath, UriKind.Relative)));

        var items = document.RootElement.GetProperty("items");
        Assert.Equal(StorefrontStore.Items, items.GetArrayLength());
        Assert.Equal("i0", items[0].GetProperty("itemId").GetString());
        Assert.Equal(StorefrontStore.TitleOf(0), items[0].GetProperty("title").GetString());
        Assert.Equal(StorefrontStore.CategoryOf(39), items[39].GetProperty("categories")[0].GetString());
    }

    private async Task<WebApplication> StartAsync(bool sample)
    {
        var store = new LocalFolderBlobStore(new StorageOptions { LocalRoot = _root });
        var app = ServeCommand.CreateApp(store, new SearchOptions(), "http://127.0.0.1:0", TimeProvider.System, sampleFolder: sample ? SampleStorefront.FindFolder() : null);
        await app.StartAsync();
        return app;
    }

    private static HttpClient ClientOf(WebApplication app) =>
        new() { BaseAddress = new Uri(app.Urls.Single().TrimEnd('/') + "/"), Timeout = TimeSpan.FromSeconds(30) };
}
