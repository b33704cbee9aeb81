using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using ServerlessRec.Http;

namespace ServerlessRec.Functions.Http;

/// <summary>POST /api/events: log interactions and update user histories.</summary>
public sealed class PostEventsFunction(ServingEndpoints endpoints)
{
    [Function("PostEvents")]
    public Task<IResult> RunAsync(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = "events")] HttpRequest req,
        CancellationToken cancellationToken) =>
        endpoints.PostEventsAsync(req, cancellationToken);
}
