using Microsoft.DurableTask;

namespace ServerlessRec.Pipeline;

/// <summary>Registers the retraining orchestration and its activities on a Durable Task host (in-process host, CLI).</summary>
public static class RetrainRegistration
{
    /// <summary>Adds the orchestration and every activity; <paramref name="activities"/> is created per activity call.</summary>
    public static DurableTaskRegistry AddRetrain(this DurableTaskRegistry registry, Func<RetrainActivities> activities)
    {
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(activities);
        registry.AddOrchestratorFunc<RetrainInput, RetrainOutcome>(RetrainOrchestration.Name, (context, input) => RetrainOrchestration.RunAsync(context, input));
        registry.AddActivityFunc<ScratchInput, int>(nameof(RetrainActivities.RemoveStaleScratch), (_, input) => activities().RemoveStaleScratch(input));
        registry.AddActivityFunc<PurgeForgottenInput, PurgeForgottenResult>(nameof(RetrainActivities.PurgeForgotten), (_, input) => activities().PurgeForgotten(input));
        registry.AddActivityFunc<ListPartitionsInput, List<LogBlob>>(nameof(RetrainActivities.ListPartitions), (_, input) => activities().ListPartitions(input));
        registry.AddActivityFunc<CompactInput, CompactResult>(nameof(RetrainActivities.Compact), (_, input) => activities().Compact(input));
        registry.AddActivityFunc<ShardsInput, DatasetSummary>(nameof(RetrainActivities.BuildDataset), (_, input) => activities().BuildDataset(input));
        registry.AddActivityFunc<SeedInput, SeedResult>(nameof(RetrainActivities.SeedHistories), (_, input) => activities().SeedHistories(input));
        registry.AddActivityFunc<ShardsInput, TrainResult>(nameof(RetrainActivities.Train), (_, input) => activities().Train(input));
        registry.AddActivityFunc<EvaluateInput, EvaluateResult>(nameof(RetrainActivities.Evaluate), (_, input) => activities().Evaluate(input));
        registry.AddActivityFunc<ExportInput, ExportResult>(nameof(RetrainActivities.ExportOnnx), (_, input) => activities().ExportOnnx(input));
        registry.AddActivityFunc<ExportResult>(nameof(RetrainActivities.CreateIndex), (_, input) => activities().CreateIndex(input));
        registry.AddActivityFunc<IndexItemsInput>(nameof(RetrainActivities.IndexItems), (_, input) => activities().IndexItems(input));
        registry.AddActivityFunc<ActivateInput>(nameof(RetrainActivities.Activate), (_, input) => activities().Activate(input));
        registry.AddActivityFunc<CleanupInput>(nameof(RetrainActivities.Cleanup), (_, input) => activities().Cleanup(input));
        registry.AddActivityFunc<RetrainRunRecord>(nameof(RetrainActivities.WriteRunRecord), (_, record) => activities().WriteRunRecord(record));
        return registry;
    }
}
