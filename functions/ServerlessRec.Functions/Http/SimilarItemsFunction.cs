using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using ServerlessRec.Http;

namespace ServerlessRec.Functions.Http;

/// <summary>GET /api/items/{itemId}/similar: the items closest to an item.</summary>
public sealed class SimilarItemsFunction(ServingEndpoints endpoints)
{
    [Function("SimilarItems")]
    public Task<IResult> RunAsync(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "items/{itemId}/similar")] HttpRequest req, string itemId,
        CancellationToken cancellationToken) =>
        endpoints.SimilarAsync(req, RouteIds.FromPath(req, RouteTable.SimilarItemsTemplate, nameof(itemId), itemId), cancellationToken);
}
