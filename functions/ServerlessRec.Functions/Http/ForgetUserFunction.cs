using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using ServerlessRec.Http;

namespace ServerlessRec.Functions.Http;

/// <summary>DELETE /api/users/{userId}: forget a user.</summary>
public sealed class ForgetUserFunction(ServingEndpoints endpoints)
{
    [Function("ForgetUser")]
    public Task<IResult> RunAsync(
        [HttpTrigger(AuthorizationLevel.Function, "delete", Route = "users/{userId}")] HttpRequest req, string userId,
        CancellationToken cancellationToken) =>
        endpoints.ForgetUserAsync(req, RouteIds.FromPath(req, RouteTable.ForgetUserTemplate, nameof(userId), userId), cancellationToken);
}
