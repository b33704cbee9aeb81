using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using ServerlessRec.Http;

namespace ServerlessRec.Functions.Http;

/// <summary>GET /api/retrain/{instanceId}: a retraining's status (501 until the orchestration lands).</summary>
public sealed class RetrainStatusFunction(ServingEndpoints endpoints)
{
    [Function("RetrainStatus")]
    public Task<IResult> RunAsync(
        [HttpTrigger(AuthorizationLevel.Admin, "get", Route = "retrain/{instanceId}")] HttpRequest req, string instanceId,
        CancellationToken cancellationToken) =>
        endpoints.RetrainStatusAsync(req, instanceId, cancellationToken);
}
