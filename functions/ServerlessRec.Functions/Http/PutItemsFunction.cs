using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using ServerlessRec.Http;

namespace ServerlessRec.Functions.Http;

/// <summary>PUT /api/items: add or replace catalog items.</summary>
public sealed class PutItemsFunction(CatalogEndpoints endpoints)
{
    [Function("PutItems")]
    public Task<IResult> RunAsync(
        [HttpTrigger(AuthorizationLevel.Function, "put", Route = "items")] HttpRequest req,
        CancellationToken cancellationToken) =>
        endpoints.PutAsync(req, cancellationToken);
}
