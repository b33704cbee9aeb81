using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using ServerlessRec.Http;

namespace ServerlessRec.Functions.Http;

/// <summary>DELETE /api/models/challenger: stop the challenger; every user gets the live version again. Operations group (see RouteAccess).</summary>
public sealed class StopChallengerFunction(ModelEndpoints endpoints)
{
    [Function("StopChallenger")]
    public Task<IResult> RunAsync(
        [HttpTrigger(AuthorizationLevel.Function, "delete", Route = "models/challenger")] HttpRequest req,
        CancellationToken cancellationToken) =>
        endpoints.StopChallengeAsync(req, cancellationToken);
}
