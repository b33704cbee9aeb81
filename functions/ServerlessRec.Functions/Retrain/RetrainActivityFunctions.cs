using Microsoft.Azure.Functions.Worker;
using ServerlessRec.Pipeline;

namespace ServerlessRec.Functions.Retrain;

/// <summary>The retraining activities as activity functions: each binds its input and calls Core.</summary>
public sealed class RetrainActivityFunctions(RetrainActivities activities)
{
    [Function(nameof(RetrainActivities.RemoveStaleScratch))]
    public Task<int> RemoveStaleScratchAsync([ActivityTrigger] ScratchInput input) => activities.RemoveStaleScratch(input);

    [Function(nameof(RetrainActivities.PurgeForgotten))]
    public Task<PurgeForgottenResult> PurgeForgottenAsync([ActivityTrigger] PurgeForgottenInput input) => activities.PurgeForgotten(input);

    [Function(nameof(RetrainActivities.ListPartitions))]
    public Task<List<LogBlob>> ListPartitionsAsync([ActivityTrigger] ListPartitionsInput input) => activities.ListPartitions(input);

    [Function(nameof(RetrainActivities.Compact))]
    public Task<CompactResult> CompactAsync([ActivityTrigger] CompactInput input) => activities.Compact(input);

    [Function(nameof(RetrainActivities.BuildDataset))]
    public Task<DatasetSummary> BuildDatasetAsync([ActivityTrigger] ShardsInput input) => activities.BuildDataset(input);

    [Function(nameof(RetrainActivities.SeedHistories))]
    public Task<SeedResult> SeedHistoriesAsync([ActivityTrigger] SeedInput input) => activities.SeedHistories(input);

    [Function(nameof(RetrainActivities.Train))]
    public Task<TrainResult> TrainAsync([ActivityTrigger] ShardsInput input, FunctionContext context) => activities.Train(input, context.CancellationToken);

    [Function(nameof(RetrainActivities.Evaluate))]
    public Task<EvaluateResult> EvaluateAsync([ActivityTrigger] EvaluateInput input) => activities.Evaluate(input);

    [Function(nameof(RetrainActivities.ExportOnnx))]
    public Task<ExportResult> ExportOnnxAsync([ActivityTrigger] ExportInput input) => activities.ExportOnnx(input);

    [Function(nameof(RetrainActivities.CreateIndex))]
    public Task CreateIndexAsync([ActivityTrigger] ExportResult input) => activities.CreateIndex(input);

    [Function(nameof(RetrainActivities.IndexItems))]
    public Task IndexItemsAsync([ActivityTrigger] IndexItemsInput input) => activities.IndexItems(input);

    [Function(nameof(RetrainActivities.Activate))]
    public Task ActivateAsync([ActivityTrigger] ActivateInput input) => activities.Activate(input);

    [Function(nameof(RetrainActivities.Cleanup))]
    public Task CleanupAsync([ActivityTrigger] CleanupInput input) => activities.Cleanup(input);

    [Function(nameof(RetrainActivities.WriteRunRecord))]
    public Task WriteRunRecordAsync([ActivityTrigger] RetrainRunRecord record) => activities.WriteRunRecord(record);
}
