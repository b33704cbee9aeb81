using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using ServerlessRec.Http;

namespace ServerlessRec.Functions.Http;

/// <summary>GET /api/retrain/{instanceId}: a retraining's status, current step and outcome. Operations group (see RouteAccess).</summary>
public sealed class RetrainStatusFunction(RetrainEndpoints endpoints)
{
    [Function("RetrainStatus")]
    public Task<IResult> RunAsync(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "retrain/{instanceId}")] HttpRequest req,
        string instanceId,
        [DurableClient] DurableTaskClient client,
        CancellationToken cancellationToken) =>
        endpoints.StatusAsync(req, client, instanceId, cancellationToken);
}
