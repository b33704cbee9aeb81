using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using ServerlessRec.Http;

namespace ServerlessRec.Functions.Http;

/// <summary>POST /api/retrain: start the singleton retraining (202, or 409 while one runs). Operations group (see RouteAccess).</summary>
public sealed class StartRetrainFunction(RetrainEndpoints endpoints)
{
    [Function("StartRetrain")]
    public Task<IResult> RunAsync(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = "retrain")] HttpRequest req,
        [DurableClient] DurableTaskClient client,
        CancellationToken cancellationToken) =>
        endpoints.StartAsync(req, client, cancellationToken);
}
