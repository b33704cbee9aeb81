using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;

namespace ServerlessRec.Pipeline;

/// <summary>Whether a start request began a run.</summary>
/// <param name="Started">True when a new run was scheduled.</param>
/// <param name="InstanceId">The singleton instance id.</param>
/// <param name="Message">What happened, for logs and HTTP answers.</param>
public sealed record RetrainStart(bool Started, string InstanceId, string Message);

/// <summary>
/// Starts the retraining as a singleton (the Durable Functions singleton pattern): one fixed instance id, and a new
/// run only when that instance is not pending or running. Timer, admin call and CLI all start it this way.
/// </summary>
public static class RetrainScheduler
{
    /// <summary>The fixed instance id of the retraining orchestration.</summary>
    public const string InstanceId = "serverlessrec-retrain";

    /// <summary>Starts a run unless one is in progress.</summary>
    public static async Task<RetrainStart> TryStartAsync(DurableTaskClient client, RetrainInput input, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(input);
        var existing = await client.GetInstanceAsync(InstanceId, getInputsAndOutputs: false, cancellationToken).ConfigureAwait(false);
        if (existing is { RuntimeStatus: OrchestrationRuntimeStatus.Running or OrchestrationRuntimeStatus.Pending })
        {
            return new RetrainStart(false, InstanceId, $"a retraining run is already {existing.RuntimeStatus.ToString().ToLowerInvariant()} (since {existing.CreatedAt:u}); not starting another");
        }

        if (existing is not null)
        {
            // A finished run keeps its history until purged; purge it so the fixed id can be reused on every backend.
            await client.PurgeInstanceAsync(InstanceId, cancellation: cancellationToken).ConfigureAwait(false);
        }

        await client.ScheduleNewOrchestrationInstanceAsync(RetrainOrchestration.Name, input, new StartOrchestrationOptions(InstanceId), cancellationToken).ConfigureAwait(false);
        return new RetrainStart(true, InstanceId, "retraining started");
    }
}
