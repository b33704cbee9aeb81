using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using ServerlessRec.Catalog;

namespace ServerlessRec.Http;

/// <summary>The HTTP handlers of the catalog API (<see cref="CatalogService"/>), written once for both hosts.</summary>
public sealed class CatalogEndpoints
{
    private readonly CatalogService _catalog;
    private readonly ILogger<CatalogEndpoints> _logger;

    /// <summary>Creates the handlers.</summary>
    public CatalogEndpoints(CatalogService catalog, ILogger<CatalogEndpoints> logger)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(logger);
        _catalog = catalog;
        _logger = logger;
    }

    /// <summary><c>PUT /api/items</c>: adds or replaces up to <see cref="CatalogService.MaxItemsPerPut"/> items; 200 with counts.</summary>
    public Task<IResult> PutAsync(HttpRequest request, CancellationToken cancellationToken = default) =>
        ApiProblems.HandleAsync(
            async () =>
            {
                var body = await RequestBody.ReadAsync<PutCatalogRequest>(request, cancellationToken).ConfigureAwait(false);
                var response = await _catalog.PutAsync(body.Items, cancellationToken).ConfigureAwait(false);
                return Results.Json(response, ApiJsonContext.Default.CatalogUpdateResponse);
            },
            _logger);

    /// <summary><c>DELETE /api/items/{itemId}</c>: the item is never recommended again (every instance within its refresh).</summary>
    public Task<IResult> DeleteAsync(HttpRequest request, string itemId, CancellationToken cancellationToken = default) =>
        DeleteAsync(() => itemId, cancellationToken);

    /// <summary><c>DELETE /api/items?itemId=…</c>: <see cref="DeleteAsync(HttpRequest, string, CancellationToken)"/> for any item id (<see cref="RouteIds"/>).</summary>
    public Task<IResult> DeleteByQueryAsync(HttpRequest request, CancellationToken cancellationToken = default) =>
        DeleteAsync(() => RouteIds.FromQuery(request, "itemId"), cancellationToken);

    private Task<IResult> DeleteAsync(Func<string> itemIdOf, CancellationToken cancellationToken) =>
        ApiProblems.HandleAsync(
            async () =>
            {
                var response = await _catalog.DeleteAsync(itemIdOf(), cancellationToken).ConfigureAwait(false);
                return Results.Json(response, ApiJsonContext.Default.CatalogUpdateResponse);
            },
            _logger);
}
