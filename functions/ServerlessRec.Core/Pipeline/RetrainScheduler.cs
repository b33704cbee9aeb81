using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;

namespace ServerlessRec.Pipeline;

/// <summary>
/// Starts the retraining as a singleton (the Durable Functions singleton pattern): one fixed instance id, and a new
/// run only when that instance is not pending or running. Timer, admin call and CLI all start it this way. A host
/// registers one as a singleton, so its starts share one gate; two hosts in one process keep their own.
/// </summary>
public sealed class RetrainScheduler : IDisposable
{
    /// <summary>The fixed instance id of the retraining orchestration.</summary>
    public const string InstanceId = "serverlessrec-retrain";

    // One start at a time in this host: check-then-start is not atomic, so two triggers at once (timer and HTTP,
    // or two HTTP calls) would otherwise both see no run and both start one.
    private readonly SemaphoreSlim _startGate = new(1, 1);

    /// <summary>
    /// Starts a run unless one is pending or running. Starts are serialised in the host, and the start request
    /// carries dedupe statuses, so a backend that honours them refuses a second start from another instance too.
    /// </summary>
    public async Task<RetrainStart> TryStartAsync(DurableTaskClient client, RetrainInput input, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(input);
        await _startGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var existing = await client.GetInstanceAsync(InstanceId, getInputsAndOutputs: false, cancellationToken).ConfigureAwait(false);
            if (existing is { RuntimeStatus: OrchestrationRuntimeStatus.Running or OrchestrationRuntimeStatus.Pending or OrchestrationRuntimeStatus.Suspended })
            {
                return AlreadyRunning(existing.RuntimeStatus.ToString().ToLowerInvariant(), existing.CreatedAt);
            }

            if (existing is not null)
            {
                // A finished run keeps its history until purged; purge it so the fixed id can be reused on every backend.
                await client.PurgeInstanceAsync(InstanceId, cancellation: cancellationToken).ConfigureAwait(false);
            }

            var options = new StartOrchestrationOptions(InstanceId).WithDedupeStatuses(OrchestrationRuntimeStatus.Pending, OrchestrationRuntimeStatus.Running, OrchestrationRuntimeStatus.Suspended);
            try
            {
                await client.ScheduleNewOrchestrationInstanceAsync(RetrainOrchestration.Name, input, options, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (IsAlreadyExists(ex))
            {
                return AlreadyRunning("running", null);
            }

            return new RetrainStart(true, InstanceId, "retraining started");
        }
        finally
        {
            _startGate.Release();
        }
    }

    /// <inheritdoc/>
    public void Dispose() => _startGate.Dispose();

    private static RetrainStart AlreadyRunning(string status, DateTimeOffset? since) =>
        new(false, InstanceId, $"a retraining run is already {status}{(since is { } s ? $" (since {s:u})" : string.Empty)}; not starting another");

    /// <summary>The backends report a refused duplicate as OrchestrationAlreadyExistsException or a gRPC AlreadyExists status.</summary>
    private static bool IsAlreadyExists(Exception exception) =>
        exception.GetType().Name.Contains("AlreadyExists", StringComparison.Ordinal)
        || exception.Message.Contains("AlreadyExists", StringComparison.Ordinal)
        || exception.Message.Contains("already exists", StringComparison.OrdinalIgnoreCase);
}
