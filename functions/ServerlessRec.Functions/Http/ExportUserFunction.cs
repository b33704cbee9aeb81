using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using ServerlessRec.Http;

namespace ServerlessRec.Functions.Http;

/// <summary>GET /api/users/{userId}/export: everything stored about a user.</summary>
public sealed class ExportUserFunction(ServingEndpoints endpoints)
{
    [Function("ExportUser")]
    public Task<IResult> RunAsync(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "users/{userId}/export")] HttpRequest req, string userId,
        CancellationToken cancellationToken) =>
        endpoints.ExportUserAsync(req, RouteIds.FromPath(req, RouteTable.ExportUserTemplate, nameof(userId), userId), cancellationToken);
}
