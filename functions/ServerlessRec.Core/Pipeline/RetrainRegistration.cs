using Microsoft.DurableTask;

namespace ServerlessRec.Pipeline;

/// <summary>Registers the retraining orchestration and its activities on a Durable Task host (in-process host, CLI).</summary>
public static class RetrainRegistration
{
    /// <summary>Adds the orchestration and every activity (each measured as a step); <paramref name="activities"/> is created per activity call.</summary>
    public static DurableTaskRegistry AddRetrain(this DurableTaskRegistry registry, Func<RetrainActivities> activities)
    {
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(activities);
        registry.AddOrchestratorFunc<RetrainInput, RetrainOutcome>(RetrainOrchestration.Name, (context, input) => RetrainOrchestration.RunAsync(context, input));
        registry.AddActivityFunc<ScratchInput, int>(nameof(RetrainActivities.RemoveStaleScratch), (_, input) => activities().MeasureStepAsync(nameof(RetrainActivities.RemoveStaleScratch), a => a.RemoveStaleScratch(input)));
        registry.AddActivityFunc<PurgeForgottenInput, PurgeForgottenResult>(nameof(RetrainActivities.PurgeForgotten), (_, input) => activities().MeasureStepAsync(nameof(RetrainActivities.PurgeForgotten), a => a.PurgeForgotten(input)));
        registry.AddActivityFunc<OnlineMetricsInput, OnlineMetricsResult>(nameof(RetrainActivities.ComputeOnlineMetrics), (_, input) => activities().MeasureStepAsync(nameof(RetrainActivities.ComputeOnlineMetrics), a => a.ComputeOnlineMetrics(input)));
        registry.AddActivityFunc<ChallengerPromotionInput, ChallengerPromotionResult>(nameof(RetrainActivities.AutoPromoteChallenger), (_, input) => activities().MeasureStepAsync(nameof(RetrainActivities.AutoPromoteChallenger), a => a.AutoPromoteChallenger(input)));
        registry.AddActivityFunc<ExpireImpressionsInput, int>(nameof(RetrainActivities.ExpireImpressions), (_, input) => activities().MeasureStepAsync(nameof(RetrainActivities.ExpireImpressions), a => a.ExpireImpressions(input)));
        registry.AddActivityFunc<ListPartitionsInput, List<LogBlob>>(nameof(RetrainActivities.ListPartitions), (_, input) => activities().MeasureStepAsync(nameof(RetrainActivities.ListPartitions), a => a.ListPartitions(input)));
        registry.AddActivityFunc<CompactInput, CompactResult>(nameof(RetrainActivities.Compact), (_, input) => activities().MeasureStepAsync(nameof(RetrainActivities.Compact), a => a.Compact(input)));
        registry.AddActivityFunc<ShardsInput, DatasetSummary>(nameof(RetrainActivities.BuildDataset), (_, input) => activities().MeasureStepAsync(nameof(RetrainActivities.BuildDataset), a => a.BuildDataset(input)));
        registry.AddActivityFunc<SeedInput, SeedResult>(nameof(RetrainActivities.SeedHistories), (_, input) => activities().MeasureStepAsync(nameof(RetrainActivities.SeedHistories), a => a.SeedHistories(input)));
        registry.AddActivityFunc<ShardsInput, TrainResult>(nameof(RetrainActivities.Train), (_, input) => activities().MeasureStepAsync(nameof(RetrainActivities.Train), a => a.Train(input)));
        registry.AddActivityFunc<EvaluateInput, EvaluateResult>(nameof(RetrainActivities.Evaluate), (_, input) => activities().MeasureStepAsync(nameof(RetrainActivities.Evaluate), a => a.Evaluate(input)));
        registry.AddActivityFunc<ExportInput, ExportResult>(nameof(RetrainActivities.ExportOnnx), (_, input) => activities().MeasureStepAsync(nameof(RetrainActivities.ExportOnnx), a => a.ExportOnnx(input)));
        registry.AddActivityFunc<ExportResult>(nameof(RetrainActivities.CreateIndex), (_, input) => activities().MeasureStepAsync(nameof(RetrainActivities.CreateIndex), a => a.CreateIndex(input)));
        registry.AddActivityFunc<IndexItemsInput>(nameof(RetrainActivities.IndexItems), (_, input) => activities().MeasureStepAsync(nameof(RetrainActivities.IndexItems), a => a.IndexItems(input)));
        registry.AddActivityFunc<ActivateInput>(nameof(RetrainActivities.Activate), (_, input) => activities().MeasureStepAsync(nameof(RetrainActivities.Activate), a => a.Activate(input)));
        registry.AddActivityFunc<CleanupInput>(nameof(RetrainActivities.Cleanup), (_, input) => activities().MeasureStepAsync(nameof(RetrainActivities.Cleanup), a => a.Cleanup(input)));
        registry.AddActivityFunc<RetrainRunRecord>(nameof(RetrainActivities.WriteRunRecord), (_, record) => activities().MeasureStepAsync(nameof(RetrainActivities.WriteRunRecord), a => a.WriteRunRecord(record)));
        return registry;
    }
}
