using System.Text.Json;
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
    private readonly TimeProvider _time;
    private readonly RetrainScheduler _scheduler;

    /// <summary>Creates the handlers.</summary>
    /// <param name="options">The retraining options each started run takes as its input.</param>
    /// <param name="logger">Where failures and starts are logged.</param>
    /// <param name="time">The clock whose "now" is a started run's start (its window and future-timestamp limit); the system clock when <see langword="null"/>.</param>
    /// <param name="scheduler">The host's singleton scheduler, shared with its timer; one of these handlers' own when <see langword="null"/>.</param>
    public RetrainEndpoints(RetrainOptions options, ILogger<RetrainEndpoints> logger, TimeProvider? time = null, RetrainScheduler? scheduler = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        _options = options;
        _logger = logger;
        _time = time ?? TimeProvider.System;
        _scheduler = scheduler ?? new RetrainScheduler();
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

                var start = await _scheduler.TryStartAsync(client, RetrainInput.From("admin", _options, _time.GetUtcNow()), cancellationToken).ConfigureAwait(false);
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
                    ?? throw new NotFoundException("instanceId", instanceId == RetrainScheduler.InstanceId
                        ? "no retraining has run on this host's Durable Task backend since it started (an in-process backend forgets its runs when the process stops); earlier runs' records are in runs/<runId>.json"
                        : $"no retraining \"{instanceId}\" is known (started runs use the id \"{RetrainScheduler.InstanceId}\")");
                return Results.Json(Describe(metadata), ApiJsonContext.Default.RetrainStatusResponse);
            },
            _logger);

    /// <summary>
    /// One consistent answer for every state: the run id whenever the run got one, the step in progress (or the one it
    /// stopped in), and an outcome for every ended run: the orchestration's own (activated, rejected, no-data), or
    /// failed / terminated with the reason, so an ended run never reads as one still in a step or as one with no result.
    /// </summary>
    internal static RetrainStatusResponse Describe(OrchestrationMetadata metadata)
    {
        var progress = ReadProgress(metadata);
        var status = metadata.RuntimeStatus;
        var outcome = status == OrchestrationRuntimeStatus.Completed ? metadata.ReadOutputAs<RetrainOutcome>() : null;
        var ended = status is OrchestrationRuntimeStatus.Completed or OrchestrationRuntimeStatus.Failed or OrchestrationRuntimeStatus.Terminated;
        var (outcomeName, reason) = status switch
        {
            OrchestrationRuntimeStatus.Completed => (outcome?.Outcome, outcome?.Reason),
            OrchestrationRuntimeStatus.Failed => (RunOutcome.Failed, metadata.FailureDetails?.ErrorMessage ?? $"failed during {progress?.Step ?? "start"}"),
            OrchestrationRuntimeStatus.Terminated => (RunOutcome.Terminated, $"terminated during {progress?.Step ?? "start"} before the run could write its record; the next run removes its scratch"),
            _ => ((RunOutcome?)null, (string?)null),
        };
        return new RetrainStatusResponse
        {
            InstanceId = metadata.InstanceId,
            Status = status.ToString().ToLowerInvariant(),
            CreatedAt = metadata.CreatedAt,
            LastUpdatedAt = metadata.LastUpdatedAt,
            Step = status == OrchestrationRuntimeStatus.Completed ? null : progress?.Step,
            RunId = outcome?.RunId ?? progress?.RunId,
            // The wire name as a plain string: the documented schema stays a nullable string (an enum $ref would not take null).
            Outcome = ended ? outcomeName?.ToWireName() : null,
            Version = outcome?.Version,
            Reason = reason,
        };
    }

    /// <summary>The custom status: a <see cref="RetrainProgress"/>; a run started before it existed wrote the bare step name.</summary>
    private static (string? RunId, string Step)? ReadProgress(OrchestrationMetadata metadata)
    {
        if (metadata.SerializedCustomStatus is not { Length: > 0 } json)
        {
            return null;
        }

        using var document = JsonDocument.Parse(json);
        return document.RootElement.ValueKind switch
        {
            JsonValueKind.String => (null, document.RootElement.GetString()!),
            JsonValueKind.Object when metadata.ReadCustomStatusAs<RetrainProgress>() is { } progress => (progress.RunId, progress.Step),
            _ => null,
        };
    }

    private static IResult NoDurableClient() =>
        ApiProblems.Create(StatusCodes.Status503ServiceUnavailable, "Retraining is not available.", "this host runs no Durable Task client, so it cannot start or report a retraining");

    [LoggerMessage(EventId = 4002, Level = LogLevel.Information, Message = "Retrain requested over HTTP: started={Started} instance={InstanceId}: {Message}")]
    private static partial void LogStart(ILogger logger, bool started, string instanceId, string message);
}
