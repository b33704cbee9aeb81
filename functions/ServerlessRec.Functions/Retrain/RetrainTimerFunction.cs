using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ServerlessRec.Pipeline;

namespace ServerlessRec.Functions.Retrain;

/// <summary>Starts the nightly retraining (<c>%RetrainSchedule%</c>) as a singleton: a run in progress is logged and skipped.</summary>
public sealed partial class RetrainTimerFunction(IOptions<RetrainOptions> options, RetrainScheduler scheduler, ILogger<RetrainTimerFunction> logger)
{
    [Function("RetrainTimer")]
    public async Task RunAsync([TimerTrigger("%RetrainSchedule%")] TimerInfo timer, [DurableClient] DurableTaskClient client, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        var start = await scheduler.TryStartAsync(client, RetrainInput.From("timer", options.Value), cancellationToken).ConfigureAwait(false);
        LogStart(logger, start.Started, start.InstanceId, start.Message);
    }

    [LoggerMessage(EventId = 4001, Level = LogLevel.Information, Message = "Retrain timer: started={Started} instance={InstanceId}: {Message}")]
    private static partial void LogStart(ILogger logger, bool started, string instanceId, string message);
}
