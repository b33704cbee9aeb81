using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using ServerlessRec.Http;

namespace ServerlessRec.Functions.Http;

/// <summary>GET /api/users/vector?userId=…: the user vector for any user id (RouteIds).</summary>
public sealed class UserVectorByQueryFunction(ServingEndpoints endpoints)
{
    [Function("UserVectorByQuery")]
    public Task<IResult> RunAsync(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "users/vector")] HttpRequest req,
        CancellationToken cancellationToken) =>
        endpoints.UserVectorByQueryAsync(req, cancellationToken);
}
