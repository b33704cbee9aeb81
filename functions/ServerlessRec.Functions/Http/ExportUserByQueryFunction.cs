using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using ServerlessRec.Http;

namespace ServerlessRec.Functions.Http;

/// <summary>GET /api/users/export?userId=…: the export for any user id (RouteIds).</summary>
public sealed class ExportUserByQueryFunction(ServingEndpoints endpoints)
{
    [Function("ExportUserByQuery")]
    public Task<IResult> RunAsync(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "users/export")] HttpRequest req,
        CancellationToken cancellationToken) =>
        endpoints.ExportUserByQueryAsync(req, cancellationToken);
}
