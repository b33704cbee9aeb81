using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using ServerlessRec.Http;

namespace ServerlessRec.Functions.Http;

/// <summary>
/// Any method on a path under /api whose first segment no other route has (<see cref="RouteTable.UnknownRouteTemplate"/>):
/// a 404 problem+json instead of the host's empty 404. Paths of real routes never reach it, whatever order the host
/// registers functions in; a wrong method on a real route still gets the host's own empty 404.
/// </summary>
public static class UnknownRouteFunction
{
    [Function("UnknownRoute")]
    public static IResult Run(
        [HttpTrigger(AuthorizationLevel.Function, Route = RouteTable.UnknownRouteTemplate)] HttpRequest req) =>
        ApiProblems.ForStatus(StatusCodes.Status404NotFound, ApiProblems.NoRouteDetail);
}
