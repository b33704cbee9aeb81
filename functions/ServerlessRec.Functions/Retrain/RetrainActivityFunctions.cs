using Microsoft.Azure.Functions.Worker;
using ServerlessRec.Pipeline;

namespace ServerlessRec.Functions.Retrain;

/// <summary>The retraining activities as activity functions: each binds its input and calls Core, measured as a step.</summary>
public sealed class RetrainActivityFunctions(RetrainActivities activities)
{
    [Function(nameof(RetrainActivities.RemoveStaleScratch))]
    public Task<int> RemoveStaleScratchAsync([ActivityTrigger] ScratchInput input) =>
        activities.MeasureStepAsync(nameof(RetrainActivities.RemoveStaleScratch), a => a.RemoveStaleScratch(input));

    [Function(nameof(RetrainActivities.ComputeOnlineMetrics))]
    public Task<OnlineMetricsResult> ComputeOnlineMetricsAsync([ActivityTrigger] OnlineMetricsInput input) =>
        activities.MeasureStepAsync(nameof(RetrainActivities.ComputeOnlineMetrics), a => a.ComputeOnlineMetrics(input));

    [Function(nameof(RetrainActivities.AutoPromoteChallenger))]
    public Task<ChallengerPromotionResult> AutoPromoteChallengerAsync([ActivityTrigger] ChallengerPromotionInput input) =>
        activities.MeasureStepAsync(nameof(RetrainActivities.AutoPromoteChallenger), a => a.AutoPromoteChallenger(input));

    [Function(nameof(RetrainActivities.ExpireImpressions))]
    public Task<int> ExpireImpressionsAsync([ActivityTrigger] ExpireImpressionsInput input) =>
        activities.MeasureStepAsync(nameof(RetrainActivities.ExpireImpressions), a => a.ExpireImpressions(input));

    [Function(nameof(RetrainActivities.PurgeForgotten))]
    public Task<PurgeForgottenResult> PurgeForgottenAsync([ActivityTrigger] PurgeForgottenInput input) =>
        activities.MeasureStepAsync(nameof(RetrainActivities.PurgeForgotten), a => a.PurgeForgotten(input));

    [Function(nameof(RetrainActivities.ListPartitions))]
    public Task<List<LogBlob>> ListPartitionsAsync([ActivityTrigger] ListPartitionsInput input) =>
        activities.MeasureStepAsync(nameof(RetrainActivities.ListPartitions), a => a.ListPartitions(input));

    [Function(nameof(RetrainActivities.Compact))]
    public Task<CompactResult> CompactAsync([ActivityTrigger] CompactInput input) =>
        activities.MeasureStepAsync(nameof(RetrainActivities.Compact), a => a.Compact(input));

    [Function(nameof(RetrainActivities.BuildDataset))]
    public Task<DatasetSummary> BuildDatasetAsync([ActivityTrigger] ShardsInput input) =>
        activities.MeasureStepAsync(nameof(RetrainActivities.BuildDataset), a => a.BuildDataset(input));

    [Function(nameof(RetrainActivities.SeedHistories))]
    public Task<SeedResult> SeedHistoriesAsync([ActivityTrigger] SeedInput input) =>
        activities.MeasureStepAsync(nameof(RetrainActivities.SeedHistories), a => a.SeedHistories(input));

    [Function(nameof(RetrainActivities.Train))]
    public Task<TrainResult> TrainAsync([ActivityTrigger] ShardsInput input, FunctionContext context) =>
        activities.MeasureStepAsync(nameof(RetrainActivities.Train), a => a.Train(input, context.CancellationToken));

    [Function(nameof(RetrainActivities.Evaluate))]
    public Task<EvaluateResult> EvaluateAsync([ActivityTrigger] EvaluateInput input) =>
        activities.MeasureStepAsync(nameof(RetrainActivities.Evaluate), a => a.Evaluate(input));

    [Function(nameof(RetrainActivities.ExportOnnx))]
    public Task<ExportResult> ExportOnnxAsync([ActivityTrigger] ExportInput input) =>
        activities.MeasureStepAsync(nameof(RetrainActivities.ExportOnnx), a => a.ExportOnnx(input));

    [Function(nameof(RetrainActivities.CreateIndex))]
    public Task CreateIndexAsync([ActivityTrigger] ExportResult input) =>
        activities.MeasureStepAsync(nameof(RetrainActivities.CreateIndex), a => a.CreateIndex(input));

    [Function(nameof(RetrainActivities.IndexItems))]
    public Task IndexItemsAsync([ActivityTrigger] IndexItemsInput input) =>
        activities.MeasureStepAsync(nameof(RetrainActivities.IndexItems), a => a.IndexItems(input));

    [Function(nameof(RetrainActivities.Activate))]
    public Task ActivateAsync([ActivityTrigger] ActivateInput input) =>
        activities.MeasureStepAsync(nameof(RetrainActivities.Activate), a => a.Activate(input));

    [Function(nameof(RetrainActivities.Cleanup))]
    public Task CleanupAsync([ActivityTrigger] CleanupInput input) =>
        activities.MeasureStepAsync(nameof(RetrainActivities.Cleanup), a => a.Cleanup(input));

    [Function(nameof(RetrainActivities.WriteRunRecord))]
    public Task WriteRunRecordAsync([ActivityTrigger] RetrainRunRecord record) =>
        activities.MeasureStepAsync(nameof(RetrainActivities.WriteRunRecord), a => a.WriteRunRecord(record));
}
