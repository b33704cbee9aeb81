using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;
using ServerlessRec.Pipeline;

namespace ServerlessRec.Functions.Retrain;

/// <summary>Registers Core's retraining orchestration body as the Durable orchestrator function.</summary>
public static class RetrainOrchestratorFunction
{
    [Function(RetrainOrchestration.Name)]
    public static Task<RetrainOutcome> RunAsync([OrchestrationTrigger] TaskOrchestrationContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return RetrainOrchestration.RunAsync(context, context.GetInput<RetrainInput>()!);
    }
}
