using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using ServerlessRec.Http;

namespace ServerlessRec.Functions.Http;

/// <summary>GET /api/items/similar?itemId=…: similar items for any item id (RouteIds).</summary>
public sealed class SimilarItemsByQueryFunction(ServingEndpoints endpoints)
{
    [Function("SimilarItemsByQuery")]
    public Task<IResult> RunAsync(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "items/similar")] HttpRequest req,
        CancellationToken cancellationToken) =>
        endpoints.SimilarByQueryAsync(req, cancellationToken);
}
