using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using ServerlessRec.Http;

namespace ServerlessRec.Functions.Http;

/// <summary>DELETE /api/users?userId=…: forget any user id (RouteIds).</summary>
public sealed class ForgetUserByQueryFunction(ServingEndpoints endpoints)
{
    [Function("ForgetUserByQuery")]
    public Task<IResult> RunAsync(
        [HttpTrigger(AuthorizationLevel.Function, "delete", Route = "users")] HttpRequest req,
        CancellationToken cancellationToken) =>
        endpoints.ForgetUserByQueryAsync(req, cancellationToken);
}
