using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using ServerlessRec.Http;

namespace ServerlessRec.Functions.Http;

/// <summary>DELETE /api/items/{itemId}: remove a catalog item.</summary>
public sealed class DeleteItemFunction(CatalogEndpoints endpoints)
{
    [Function("DeleteItem")]
    public Task<IResult> RunAsync(
        [HttpTrigger(AuthorizationLevel.Function, "delete", Route = "items/{itemId}")] HttpRequest req, string itemId,
        CancellationToken cancellationToken) =>
        endpoints.DeleteAsync(req, RouteIds.FromPath(req, RouteTable.DeleteItemTemplate, nameof(itemId), itemId), cancellationToken);
}
