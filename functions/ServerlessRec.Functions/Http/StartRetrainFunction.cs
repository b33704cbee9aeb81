using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using ServerlessRec.Http;

namespace ServerlessRec.Functions.Http;

/// <summary>POST /api/retrain: start a retraining (501 until the orchestration lands).</summary>
public sealed class StartRetrainFunction(ServingEndpoints endpoints)
{
    [Function("StartRetrain")]
    public Task<IResult> RunAsync(
        [HttpTrigger(AuthorizationLevel.Admin, "post", Route = "retrain")] HttpRequest req,
        CancellationToken cancellationToken) =>
        endpoints.StartRetrainAsync(req, cancellationToken);
}
