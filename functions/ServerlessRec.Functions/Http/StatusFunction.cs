using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using ServerlessRec.Http;

namespace ServerlessRec.Functions.Http;

/// <summary>GET /api/status: the live version, the kept versions with their metrics and the last runs. Operations group (see RouteAccess).</summary>
public sealed class StatusFunction(ModelEndpoints endpoints)
{
    [Function("Status")]
    public Task<IResult> RunAsync(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "status")] HttpRequest req,
        CancellationToken cancellationToken) =>
        endpoints.StatusAsync(req, cancellationToken);
}
