using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using ServerlessRec.Http;

namespace ServerlessRec.Functions.Http;

/// <summary>POST /api/recommendations: personalised items for a user.</summary>
public sealed class RecommendationsFunction(ServingEndpoints endpoints)
{
    [Function("Recommendations")]
    public Task<IResult> RunAsync(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = "recommendations")] HttpRequest req,
        CancellationToken cancellationToken) =>
        endpoints.RecommendAsync(req, cancellationToken);
}
