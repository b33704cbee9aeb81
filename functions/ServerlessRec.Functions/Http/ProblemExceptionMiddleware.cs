using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Middleware;
using Microsoft.Extensions.Logging;
using ServerlessRec.Http;

namespace ServerlessRec.Functions.Http;

/// <summary>
/// Turns an exception that escapes an HTTP function (binding, or anything outside the Core handlers, which map their
/// own failures) into the API's problem+json answer, as <c>serve</c> does, instead of the host's empty 500.
/// Other triggers (timer, orchestration, activities) rethrow: their failures belong to the host and Durable Task.
/// </summary>
public sealed class ProblemExceptionMiddleware(ILogger<ProblemExceptionMiddleware> logger) : IFunctionsWorkerMiddleware
{
    /// <inheritdoc/>
    public async Task Invoke(FunctionContext context, FunctionExecutionDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        try
        {
            await next(context).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException && context.GetHttpContext() is { Response.HasStarted: false })
        {
            var http = context.GetHttpContext()!;
            await ApiProblems.FromException(ex, logger).ExecuteAsync(http).ConfigureAwait(false);
        }
    }
}
