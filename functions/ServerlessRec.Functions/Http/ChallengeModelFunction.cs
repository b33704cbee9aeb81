using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using ServerlessRec.Http;

namespace ServerlessRec.Functions.Http;

/// <summary>POST /api/models/{version}/challenge: serve a kept version to a share of the users beside the live one, after its hash and index checks. Operations group (see RouteAccess).</summary>
public sealed class ChallengeModelFunction(ModelEndpoints endpoints)
{
    [Function("ChallengeModel")]
    public Task<IResult> RunAsync(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = "models/{version}/challenge")] HttpRequest req,
        string version,
        CancellationToken cancellationToken) =>
        endpoints.ChallengeAsync(req, RouteIds.FromPath(req, RouteTable.ChallengeModelTemplate, "version", version), cancellationToken);
}
