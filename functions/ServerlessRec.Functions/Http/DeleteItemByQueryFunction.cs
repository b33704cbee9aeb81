using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using ServerlessRec.Http;

namespace ServerlessRec.Functions.Http;

/// <summary>DELETE /api/items?itemId=…: remove any catalog item id (RouteIds).</summary>
public sealed class DeleteItemByQueryFunction(CatalogEndpoints endpoints)
{
    [Function("DeleteItemByQuery")]
    public Task<IResult> RunAsync(
        [HttpTrigger(AuthorizationLevel.Function, "delete", Route = "items")] HttpRequest req,
        CancellationToken cancellationToken) =>
        endpoints.DeleteByQueryAsync(req, cancellationToken);
}
