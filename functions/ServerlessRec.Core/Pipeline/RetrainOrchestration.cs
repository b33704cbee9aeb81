using Microsoft.DurableTask;

namespace ServerlessRec.Pipeline;

/// <summary>
/// The retraining orchestration of design.md, as one method over <see cref="TaskOrchestrationContext"/> so the
/// Azure Functions app and the in-process Durable Task host run the same body. Deterministic: time, ids and
/// randomness come from the context; inputs and outputs are blob names, counts and metrics.
/// </summary>
public static class RetrainOrchestration
{
    /// <summary>The orchestration's registered name.</summary>
    public const string Name = "Retrain";

    /// <summary>Runs one retraining: a failed step or a candidate that loses at the gate leaves the live model untouched.</summary>
    public static async Task<RetrainOutcome> RunAsync(TaskOrchestrationContext context, RetrainInput input)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(input);
        var started = context.CurrentUtcDateTime;
        var runId = $"{started:yyyyMMdd-HHmmss}-{context.NewGuid().ToString("N")[..6]}";
        var settings = input.Settings;
        var retry = TaskOptions.FromRetryPolicy(new RetryPolicy(settings.MaxAttempts, TimeSpan.FromMilliseconds(settings.FirstRetryMilliseconds)));
        var steps = new Dictionary<string, double>();
        var stepStart = context.CurrentUtcDateTime;
        void Step(string name)
        {
            steps[name] = (context.CurrentUtcDateTime - stepStart).TotalSeconds;
            stepStart = context.CurrentUtcDateTime;
        }

        var record = new RetrainRunRecord { RunId = runId, Trigger = input.Trigger, Started = started, Outcome = "running" };
        try
        {
            context.SetCustomStatus("listPartitions");
            var blobs = await context.CallActivityAsync<List<string>>(nameof(RetrainActivities.ListPartitions), runId, retry);
            Step("listPartitions");
            context.SetCustomStatus("compact");
            var shardTasks = blobs.Chunk(settings.BlobsPerShard)
                .Select((chunk, shard) => context.CallActivityAsync<CompactResult>(nameof(RetrainActivities.Compact), new CompactInput(runId, shard, chunk), retry))
                .ToList();
            var compacted = await Task.WhenAll(shardTasks);
            Step("compact");
            record = record with
            {
                Lines = compacted.Sum(c => c.Lines),
                Accepted = compacted.Sum(c => c.Accepted),
                Rejected = compacted.Sum(c => c.Rejected),
                RejectedByReason = compacted.SelectMany(c => c.RejectedByReason).GroupBy(r => r.Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Sum(r => r.Value), StringComparer.Ordinal),
            };

            var shards = new ShardsInput(runId, compacted.Select(c => c.ShardBlob).ToList());
            context.SetCustomStatus("buildDataset");
            var dataset = await context.CallActivityAsync<DatasetSummary>(nameof(RetrainActivities.BuildDataset), shards, retry);
            Step("buildDataset");
            record = record with { Dataset = dataset };
            if (dataset.EvaluatedUsers == 0)
            {
                return await FinishAsync(context, record with { Outcome = "no-data", Reason = "no user has 3 or more positive events" }, steps, retry);
            }

            context.SetCustomStatus("seedHistories");
            var seeded = await context.CallActivityAsync<int>(nameof(RetrainActivities.SeedHistories), shards, retry);
            Step("seedHistories");
            record = record with { SeededUsers = seeded };

            context.SetCustomStatus("train");
            var trained = await context.CallActivityAsync<TrainResult>(nameof(RetrainActivities.Train), shards, retry);
            Step("train");
            record = record with { Training = trained };

            context.SetCustomStatus("evaluate");
            var evaluation = await context.CallActivityAsync<EvaluateResult>(nameof(RetrainActivities.Evaluate), new EvaluateInput(runId, shards.Shards, trained.TunedCheckpoint, settings.PromotionMargin), retry);
            Step("evaluate");
            record = record with { Evaluation = evaluation };
            if (!evaluation.Promote)
            {
                return await FinishAsync(context, record with { Outcome = "rejected", Reason = evaluation.Reason }, steps, retry);
            }

            var version = $"{started:yyyyMMdd-HHmmss}-{runId[^6..]}";
            context.SetCustomStatus("exportOnnx");
            var exported = await context.CallActivityAsync<ExportResult>(nameof(RetrainActivities.ExportOnnx), new ExportInput(runId, shards.Shards, trained.FinalCheckpoint, version, evaluation), retry);
            Step("exportOnnx");

            context.SetCustomStatus("indexItems");
            await context.CallActivityAsync(nameof(RetrainActivities.CreateIndex), exported, retry);
            var ranges = Enumerable.Range(0, (exported.ItemCount + settings.ItemsPerIndexActivity - 1) / settings.ItemsPerIndexActivity)
                .Select(i => new IndexItemsInput(version, i * settings.ItemsPerIndexActivity, Math.Min(settings.ItemsPerIndexActivity, exported.ItemCount - (i * settings.ItemsPerIndexActivity))));
            await Task.WhenAll(ranges.Select(r => context.CallActivityAsync(nameof(RetrainActivities.IndexItems), r, retry)));
            Step("indexItems");

            context.SetCustomStatus("activate");
            await context.CallActivityAsync(nameof(RetrainActivities.Activate), new ActivateInput(version, exported.ItemCount), retry);
            Step("activate");
            context.SetCustomStatus("cleanup");
            await context.CallActivityAsync(nameof(RetrainActivities.Cleanup), settings.KeepVersions, retry);
            Step("cleanup");
            return await FinishAsync(context, record with { Outcome = "activated", Version = version, Reason = evaluation.Reason }, steps, retry);
        }
        catch (TaskFailedException ex)
        {
            // The failed step and its reason go into the run record; the live model was not touched.
            var failed = record with { Outcome = "failed", Reason = $"{ex.TaskName}: {ex.FailureDetails?.ErrorMessage ?? ex.Message}" };
            await FinishAsync(context, failed, steps, retry);
            throw;
        }
    }

    private static async Task<RetrainOutcome> FinishAsync(TaskOrchestrationContext context, RetrainRunRecord record, Dictionary<string, double> steps, TaskOptions retry)
    {
        var finished = record with { Finished = context.CurrentUtcDateTime, StepSeconds = steps };
        await context.CallActivityAsync(nameof(RetrainActivities.WriteRunRecord), finished, retry);
        return new RetrainOutcome(record.RunId, record.Outcome, record.Version, record.Reason);
    }
}
