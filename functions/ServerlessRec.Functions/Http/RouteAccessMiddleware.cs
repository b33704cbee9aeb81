using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Middleware;
using ServerlessRec.Http;

namespace ServerlessRec.Functions.Http;

/// <summary>
/// Runs <see cref="RouteAccess"/> before every HTTP function of the <see cref="RouteTable"/>, so no trigger can forget it:
/// a refused caller gets the 401/403 problem and the function does not run. Other triggers pass through.
/// </summary>
public sealed class RouteAccessMiddleware(RouteAccess access) : IFunctionsWorkerMiddleware
{
    private static readonly Dictionary<string, ApiRoute> s_routes = RouteTable.Routes.ToDictionary(r => r.Name, StringComparer.Ordinal);

    /// <inheritdoc/>
    public async Task Invoke(FunctionContext context, FunctionExecutionDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        if (context.GetHttpContext() is { } http && s_routes.TryGetValue(context.FunctionDefinition.Name, out var route)
            && access.Authorize(route, http.Request) is { } refusal)
        {
            await refusal.ExecuteAsync(http).ConfigureAwait(false);
            return;
        }

        await next(context).ConfigureAwait(false);
    }
}
