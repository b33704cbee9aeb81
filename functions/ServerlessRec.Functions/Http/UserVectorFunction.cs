using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using ServerlessRec.Http;

namespace ServerlessRec.Functions.Http;

/// <summary>GET /api/users/{userId}/vector: the user's vector under the live model.</summary>
public sealed class UserVectorFunction(ServingEndpoints endpoints)
{
    [Function("UserVector")]
    public Task<IResult> RunAsync(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "users/{userId}/vector")] HttpRequest req, string userId,
        CancellationToken cancellationToken) =>
        endpoints.UserVectorAsync(req, RouteIds.FromPath(req, RouteTable.UserVectorTemplate, nameof(userId), userId), cancellationToken);
}
