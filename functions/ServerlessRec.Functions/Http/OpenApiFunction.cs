using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using ServerlessRec.Http;

namespace ServerlessRec.Functions.Http;

/// <summary>GET /api/openapi.json: the API's OpenAPI document, the same as serve's (rendered from the route table).</summary>
public sealed class OpenApiFunction(OpenApiEndpoints endpoints)
{
    [Function("OpenApi")]
    public Task<IResult> RunAsync(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = RouteTable.OpenApiTemplate)] HttpRequest req,
        CancellationToken cancellationToken) =>
        endpoints.GetAsync(req, cancellationToken);
}
