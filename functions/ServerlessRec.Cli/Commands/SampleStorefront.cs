using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.StaticFiles;
using Microsoft.Extensions.FileProviders;
using ServerlessRec.Catalog;
using ServerlessRec.Events;
using ServerlessRec.Storage;

namespace ServerlessRec.Cli.Commands;

/// <summary>
/// The sample storefront of <c>serve --sample</c> and <c>demo</c>: the static page in <c>samples/storefront</c> at
/// <c>/</c>, calling the API under <c>/api</c> from the same origin, and <c>GET /sample/catalog</c>, which gives the
/// page item titles and categories read from the store's catalog (<c>catalog/items.jsonl</c> and the API's updates).
/// </summary>
/// <remarks>
/// The titles are the sample's, not the API's: a real shop already has its product data and joins the ids the API
/// returns with it, and serving instances never load titles (the model carries ids, categories and vectors only), so an
/// <c>/api</c> route for them would make every instance read the whole catalog. Nothing here is mapped without
/// <c>--sample</c>; with it, the page gets no more than the API already gives any local caller of <c>serve</c>.
/// </remarks>
internal static class SampleStorefront
{
    /// <summary>The folder of the page, below the CLI's base directory (the csproj copies it there).</summary>
    public const string FolderName = "samples/storefront";

    /// <summary>The path of the catalog the page reads.</summary>
    public const string CatalogPath = "/sample/catalog";

    /// <summary>The most items <see cref="CatalogPath"/> returns, in catalog order: enough for the demo's catalog, small enough for a page.</summary>
    public const int MaxCatalogItems = 5000;

    // Same origin only, no inline code: the page is three files and calls nothing else.
    private const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    /// <summary>Finds the page's folder next to the CLI (built or published: the csproj copies it there).</summary>
    /// <exception cref="CliUsageException">It holds no <c>index.html</c>.</exception>
    public static string FindFolder() =>
        TryFindFolder() ?? throw new CliUsageException($"the sample storefront is missing: {Path.Combine(AppContext.BaseDirectory, FolderName, "index.html")} does not exist (build or publish the CLI again)");

    /// <summary>Finds the page's folder next to the CLI, or returns null when it is not there.</summary>
    public static string? TryFindFolder()
    {
        var folder = Path.Combine(AppContext.BaseDirectory, FolderName);
        return File.Exists(Path.Combine(folder, "index.html")) ? folder : null;
    }

    /// <summary>Serves the page from <paramref name="folder"/> at <c>/</c> (index.html by default) with a strict content security policy.</summary>
    public static void UseStaticPage(WebApplication app, string folder)
    {
        ArgumentNullException.ThrowIfNull(app);
        var files = new PhysicalFileProvider(Path.GetFullPath(folder));
        app.UseDefaultFiles(new DefaultFilesOptions { FileProvider = files });
        app.UseStaticFiles(new StaticFileOptions
        {
            FileProvider = files,
            ContentTypeProvider = new FileExtensionContentTypeProvider(),
            OnPrepareResponse = context =>
            {
                var headers = context.Context.Response.Headers;
                headers.ContentSecurityPolicy = ContentSecurityPolicy;
                headers.XContentTypeOptions = "nosniff";
                headers["Referrer-Policy"] = "no-referrer";
                // Edits to the sample show on reload.
                headers.CacheControl = "no-cache";
            },
        });
    }

    /// <summary>Maps <see cref="CatalogPath"/> over <paramref name="store"/> (<paramref name="time"/> dates update blobs without a time in their name).</summary>
    public static void MapCatalog(IEndpointRouteBuilder endpoints, IBlobStore store, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentNullException.ThrowIfNull(store);
        endpoints.MapGet(CatalogPath, async (HttpContext context) =>
        {
            var catalog = await ReadCatalogAsync(store, time, context.RequestAborted).ConfigureAwait(false);
            return Results.Json(catalog, SampleJsonContext.Default.SampleCatalog);
        });
    }

    /// <summary>Reads the catalog as the page shows it: <c>items.jsonl</c>, then the API's updates (a later line wins), available items only.</summary>
    internal static async Task<SampleCatalog> ReadCatalogAsync(IBlobStore store, TimeProvider time, CancellationToken cancellationToken = default)
    {
        var items = new Dictionary<string, CatalogItem>(StringComparer.Ordinal);
        var sink = new CollectingSink(items);
        var stream = await store.OpenReadAsync(ContainerNames.Catalog, SyntheticLogGenerator.CatalogBlobName, cancellationToken).ConfigureAwait(false);
        if (stream is not null)
        {
            await using (stream.ConfigureAwait(false))
            {
                await new CatalogReader().ReadAsync(stream, $"{ContainerNames.Catalog}/{SyntheticLogGenerator.CatalogBlobName}", CatalogFileFormat.JsonLines, sink, cancellationToken).ConfigureAwait(false);
            }
        }

        foreach (var update in await new CatalogUpdateStore(store, time).ReadAllAsync(cancellationToken).ConfigureAwait(false))
        {
            foreach (var item in update.Items)
            {
                sink.OnItem(item);
            }
        }

        var available = items.Values.Where(i => i.Available && !i.Deleted).ToList();
        return new SampleCatalog
        {
            Items = [.. available.Take(MaxCatalogItems).Select(i => new SampleCatalogItem { ItemId = i.ItemId, Title = i.Title, Categories = i.Categories })],
            Truncated = available.Count > MaxCatalogItems,
        };
    }

    private sealed class CollectingSink(Dictionary<string, CatalogItem> items) : ICatalogSink
    {
        // Dictionary keeps insertion order while nothing is removed: a later line replaces the entry in place.
        public void OnItem(CatalogItem item) => items[item.ItemId] = item;

        public void OnRejected(RejectedLine line)
        {
            // A malformed catalog line is retraining's to report (it quarantines it); the page just lacks that title.
        }
    }
}
