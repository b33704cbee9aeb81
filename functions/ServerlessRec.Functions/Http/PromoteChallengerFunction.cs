using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using ServerlessRec.Http;

namespace ServerlessRec.Functions.Http;

/// <summary>POST /api/models/challenger/promote: make the challenger the live version and end the challenge. Operations group (see RouteAccess).</summary>
public sealed class PromoteChallengerFunction(ModelEndpoints endpoints)
{
    [Function("PromoteChallenger")]
    public Task<IResult> RunAsync(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = "models/challenger/promote")] HttpRequest req,
        CancellationToken cancellationToken) =>
        endpoints.PromoteChallengerAsync(req, cancellationToken);
}
