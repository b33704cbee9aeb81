using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using ServerlessRec.Http;

namespace ServerlessRec.Functions.Http;

/// <summary>POST /api/models/{version}/activate: make a kept version live again after its hash and index checks (rollback). Operations group (see RouteAccess).</summary>
public sealed class ActivateModelFunction(ModelEndpoints endpoints)
{
    [Function("ActivateModel")]
    public Task<IResult> RunAsync(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = "models/{version}/activate")] HttpRequest req,
        string version,
        CancellationToken cancellationToken) =>
        endpoints.ActivateAsync(req, RouteIds.FromPath(req, RouteTable.ActivateModelTemplate, "version", version), cancellationToken);
}
