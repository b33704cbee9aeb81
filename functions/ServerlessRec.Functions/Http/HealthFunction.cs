using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using ServerlessRec.Http;

namespace ServerlessRec.Functions.Http;

/// <summary>GET /api/health: the live model version, or 503.</summary>
public sealed class HealthFunction(ServingEndpoints endpoints)
{
    [Function("Health")]
    public Task<IResult> RunAsync(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "health")] HttpRequest req,
        CancellationToken cancellationToken) =>
        endpoints.HealthAsync(req, cancellationToken);
}
