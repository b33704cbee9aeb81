using Microsoft.AspNetCore.Http;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;
using ServerlessRec.Pipeline;
using ServerlessRec.Serving;

namespace ServerlessRec.Http;

/// <summary>
/// The admin retraining handlers, written once for both hosts. The <see cref="DurableTaskClient"/> comes from the
/// host: the Functions app's <c>[DurableClient]</c> binding, or the in-process Durable Task host of <c>serve</c>.
/// </summary>
public sealed partial class RetrainEndpoints
{
    private readonly RetrainOptions _options;
    private readonly ILogger<RetrainEndpoints> _logger;

    /// <summary>Creates the handlers.</summary>
    /// <param name="options">The retraining options each started run takes as its input.</param>
    /// <param name="logger">Where failures and starts are logged.</param>
    public RetrainEndpoints(RetrainOptions options, ILogger<RetrainEndpoints> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        _options = options;
        _logger = logger;
    }

    /// <summary>
    /// <c>POST /api/retrain</c> with the JSON body <c>{}</c>: starts the singleton retraining; 202 with a <c>Location</c>
    /// to poll, or 409 when a run is already pending or running (the answer names it).
    /// </summary>
    public Task<IResult> StartAsync(HttpRequest request, DurableTaskClient? client, CancellationToken cancellationToken = default) =>
        ApiProblems.HandleAsync(
            async () =>
            {
                ArgumentNullException.ThrowIfNull(request);
                await RequestBody.ReadAsync<RetrainStartRequest>(request, cancellationToken).ConfigureAwait(false);
                if (client is null)
                {
                    return NoDurableClient();
                }

                var start = await RetrainScheduler.TryStartAsync(client, RetrainInput.From("admin", _options), cancellationToken).ConfigureAwait(false);
                LogStart(_logger, start.Started, start.InstanceId, start.Message);
                var statusUrl = $"/{RouteTable.Prefix}/retrain/{start.InstanceId}";
                request.HttpContext.Response.Headers.Location = statusUrl;
                if (!start.Started)
                {
                    return ApiProblems.Create(StatusCodes.Status409Conflict, "A retraining is already in progress.", start.Message + $"; poll {statusUrl}");
                }

                var body = new RetrainStartResponse { InstanceId = start.InstanceId, StatusUrl = statusUrl, Message = start.Message };
                return Results.Json(body, ApiJsonContext.Default.RetrainStartResponse, statusCode: StatusCodes.Status202Accepted);
            },
            _logger);

    /// <summary><c>GET /api/retrain/{instanceId}</c>: the run's status, its current step while running and its outcome when done; 404 for an unknown id.</summary>
    public Task<IResult> StatusAsync(HttpRequest request, DurableTaskClient? client, string instanceId, CancellationToken cancellationToken = default) =>
        ApiProblems.HandleAsync(
            async () =>
            {
                RequestRules.Id(instanceId, "instanceId");
                if (client is null)
                {
                    return NoDurableClient();
                }

                var metadata = await client.GetInstanceAsync(instanceId, getInputsAndOutputs: true, cancellationToken).ConfigureAwait(false)
                    ?? throw new NotFoundException("instanceId", $"no retraining \"{instanceId}\" is known (started runs use the id \"{RetrainScheduler.InstanceId}\")");
                var outcome = metadata.RuntimeStatus == OrchestrationRuntimeStatus.Completed ? metadata.ReadOutputAs<RetrainOutcome>() : null;
                var running = metadata.RuntimeStatus is OrchestrationRuntimeStatus.Running or OrchestrationRuntimeStatus.Pending;
                var body = new RetrainStatusResponse
                {
                    InstanceId = metadata.InstanceId,
                    Status = metadata.RuntimeStatus.ToString().ToLowerInvariant(),
                    CreatedAt = metadata.CreatedAt,
                    LastUpdatedAt = metadata.LastUpdatedAt,
                    Step = running && metadata.SerializedCustomStatus is not null ? metadata.ReadCustomStatusAs<string>() : null,
                    RunId = outcome?.RunId,
                    Outcome = outcome?.Outcome,
                    Version = outcome?.Version,
                    Reason = outcome?.Reason ?? metadata.FailureDetails?.ErrorMessage,
                };
                return Results.Json(body, ApiJsonContext.Default.RetrainStatusResponse);
            },
            _logger);

    private static IResult NoDurableClient() =>
        ApiProblems.Create(StatusCodes.Status503ServiceUnavailable, "Retraining is not available.", "this host runs no Durable Task client, so it cannot start or report a retraining");

    [LoggerMessage(EventId = 4002, Level = LogLevel.Information, Message = "Retrain requested over HTTP: started={Started} instance={InstanceId}: {Message}")]
    private static partial void LogStart(ILogger logger, bool started, string instanceId, string message);
}
