using Microsoft.DurableTask;
using Microsoft.Extensions.Logging;

namespace ServerlessRec.Pipeline;

/// <summary>
/// The retraining orchestration of design.md, as one method over <see cref="TaskOrchestrationContext"/> so the
/// Azure Functions app and the in-process Durable Task host run the same body. Deterministic: time, ids and
/// randomness come from the context; inputs and outputs are blob names, counts and metrics. Each step's start and end
/// are logged once (a replay-safe logger), with durations in orchestration time.
/// </summary>
public static partial class RetrainOrchestration
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
        var runStart = input.RunStart ?? new DateTimeOffset(started, TimeSpan.Zero);
        var notAfter = runStart.AddSeconds(settings.FutureSkewSeconds);
        var retry = TaskOptions.FromRetryPolicy(new RetryPolicy(settings.MaxAttempts, TimeSpan.FromMilliseconds(settings.FirstRetryMilliseconds)));
        var log = context.CreateReplaySafeLogger(typeof(RetrainOrchestration).FullName!);
        var steps = new Dictionary<string, double>();
        var stepStart = context.CurrentUtcDateTime;
        void Step(string name)
        {
            steps[name] = (context.CurrentUtcDateTime - stepStart).TotalSeconds;
            stepStart = context.CurrentUtcDateTime;
            LogStepFinished(log, runId, name, steps[name]);
        }

        // The run id travels with the step, so the status route names the run (and its record) whatever state it ends in.
        void Progress(string step)
        {
            context.SetCustomStatus(new RetrainProgress(runId, step));
            LogStepStarted(log, runId, step);
        }

        LogRunStarted(log, runId, input.Trigger);

        var record = new RetrainRunRecord { RunId = runId, Trigger = input.Trigger, Started = started, Outcome = RunOutcome.Running, RunStart = runStart, WindowStart = RetrainActivities.WindowStart(runStart, settings.WindowDays) };
        try
        {
            Progress("removeStaleScratch");
            var removed = await context.CallActivityAsync<int>(nameof(RetrainActivities.RemoveStaleScratch), new ScratchInput(runId), retry);
            record = record with { StaleScratchBlobsRemoved = removed };

            // Before listing and compacting: this run then reads (and quarantines) no line it erases, and every outcome,
            // no-data and rejected included, still erases. Training excludes forgotten users on its own, so a purge that
            // fails after its retries is recorded and the run goes on; it deleted nothing, and the next run tries again.
            Progress("purgeForgotten");
            try
            {
                var purged = await context.CallActivityAsync<PurgeForgottenResult>(nameof(RetrainActivities.PurgeForgotten), new PurgeForgottenInput(runId, runStart), retry);
                record = record with { Purge = purged, PurgedLines = purged.PurgedLines, PurgedBlobs = purged.PurgedBlobs };
            }
            catch (TaskFailedException ex)
            {
                record = record with { PurgeError = ex.FailureDetails?.ErrorMessage ?? ex.Message };
            }

            Step("purgeForgotten");
            if (settings.OnlineMetricsDays > 0)
            {
                // How the serving models did since the last run, before this run replaces one. Read-only and optional: a
                // failure is recorded and the run goes on.
                Progress("onlineMetrics");
                try
                {
                    var online = await context.CallActivityAsync<OnlineMetricsResult>(nameof(RetrainActivities.ComputeOnlineMetrics), new OnlineMetricsInput(runId, runStart, settings.OnlineMetricsDays, settings.ChallengerMinImpressions), retry);
                    record = record with { OnlineMetrics = online };
                }
                catch (TaskFailedException ex)
                {
                    record = record with { OnlineMetricsError = ex.FailureDetails?.ErrorMessage ?? ex.Message };
                }

                Step("onlineMetrics");

                // Before training: the candidate this run trains is then gated against the promoted version, as against
                // any live model. Only one measured challenger version is promoted; a failure is recorded and the run goes on.
                if (settings.AutoPromoteChallenger && record.OnlineMetrics?.Challenge is { Verdict: ChallengerVerdicts.Better, ChallengerVersions: [var challenger] } challenge)
                {
                    Progress("promoteChallenger");
                    try
                    {
                        var why = $"Retrain:AutoPromoteChallenger: {challenge.Reason}, over {challenge.ChallengerImpressions} challenger and {challenge.ChampionImpressions} champion impressions";
                        var promotion = await context.CallActivityAsync<ChallengerPromotionResult>(nameof(RetrainActivities.AutoPromoteChallenger), new ChallengerPromotionInput(runId, challenger, why), retry);
                        record = record with { ChallengerPromotion = promotion };
                        if (promotion.Promoted)
                        {
                            LogChallengerPromoted(log, runId, challenger, promotion.PreviousVersion, why);
                        }
                    }
                    catch (TaskFailedException ex)
                    {
                        record = record with { ChallengerPromotionError = ex.FailureDetails?.ErrorMessage ?? ex.Message };
                    }

                    Step("promoteChallenger");
                }
            }

            Progress("expireImpressions");
            try
            {
                var retention = Math.Max(settings.ImpressionRetentionDays, settings.OnlineMetricsDays);
                var expired = await context.CallActivityAsync<int>(nameof(RetrainActivities.ExpireImpressions), new ExpireImpressionsInput(runStart, retention), retry);
                record = record with { ImpressionBlobsExpired = expired };
            }
            catch (TaskFailedException ex)
            {
                record = record with { ImpressionExpiryError = ex.FailureDetails?.ErrorMessage ?? ex.Message };
            }

            Step("expireImpressions");

            Progress("listPartitions");
            var blobs = await context.CallActivityAsync<List<LogBlob>>(nameof(RetrainActivities.ListPartitions), new ListPartitionsInput(runId, runStart, settings.WindowDays, settings.FutureSkewSeconds), retry);
            Step("listPartitions");
            Progress("compact");
            var shardTasks = blobs.Chunk(settings.BlobsPerShard)
                .Select((chunk, shard) => context.CallActivityAsync<CompactResult>(nameof(RetrainActivities.Compact), new CompactInput(runId, shard, chunk, notAfter), retry))
                .ToList();
            var compacted = await Task.WhenAll(shardTasks);
            Step("compact");
            record = record with
            {
                LogBlobs = blobs.Count,
                Lines = compacted.Sum(c => c.Lines),
                Accepted = compacted.Sum(c => c.Accepted),
                Rejected = compacted.Sum(c => c.Rejected),
                RejectedByReason = compacted.SelectMany(c => c.RejectedByReason).GroupBy(r => r.Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Sum(r => r.Value), StringComparer.Ordinal),
            };

            var shards = new ShardsInput(runId, compacted.Select(c => c.ShardBlob).ToList());
            Progress("buildDataset");
            var dataset = await context.CallActivityAsync<DatasetSummary>(nameof(RetrainActivities.BuildDataset), shards, retry);
            Step("buildDataset");
            record = record with { Dataset = dataset };
            if (dataset.EvaluatedUsers == 0)
            {
                return await FinishAsync(context, record with { Outcome = RunOutcome.NoData, Reason = NoDataReason(record, settings) }, steps, retry);
            }

            Progress("seedHistories");
            var seedLists = compacted.Select(c => c.SeedUsersBlob).OfType<string>().ToList();
            var seeded = await context.CallActivityAsync<SeedResult>(nameof(RetrainActivities.SeedHistories), new SeedInput(runId, shards.Shards, seedLists, record.WindowStart), retry);
            Step("seedHistories");
            record = record with { SeededUsers = seeded.SeededUsers, QuarantinedUsers = seeded.QuarantinedUsers };

            Progress("train");
            var trained = await context.CallActivityAsync<TrainResult>(nameof(RetrainActivities.Train), shards, retry);
            Step("train");
            record = record with { Training = trained };

            Progress("evaluate");
            var evaluation = await context.CallActivityAsync<EvaluateResult>(nameof(RetrainActivities.Evaluate), new EvaluateInput(runId, shards.Shards, trained.FinalCheckpoint, settings.PromotionMargin, settings.RequireLiveComparison), retry);
            Step("evaluate");
            record = record with { Evaluation = evaluation, LiveComparisonSkipped = evaluation.LiveComparisonSkipped };
            if (!evaluation.Promote)
            {
                return await FinishAsync(context, record with { Outcome = RunOutcome.Rejected, Reason = evaluation.Reason }, steps, retry);
            }

            var version = $"{started:yyyyMMdd-HHmmss}-{runId[^6..]}";
            Progress("exportOnnx");
            var exported = await context.CallActivityAsync<ExportResult>(nameof(RetrainActivities.ExportOnnx), new ExportInput(runId, shards.Shards, trained.FinalCheckpoint, version, evaluation, runStart), retry);
            Step("exportOnnx");

            Progress("indexItems");
            await context.CallActivityAsync(nameof(RetrainActivities.CreateIndex), exported, retry);
            var ranges = Enumerable.Range(0, (exported.ItemCount + settings.ItemsPerIndexActivity - 1) / settings.ItemsPerIndexActivity)
                .Select(i => new IndexItemsInput(version, i * settings.ItemsPerIndexActivity, Math.Min(settings.ItemsPerIndexActivity, exported.ItemCount - (i * settings.ItemsPerIndexActivity))));
            await Task.WhenAll(ranges.Select(r => context.CallActivityAsync(nameof(RetrainActivities.IndexItems), r, retry)));
            Step("indexItems");

            Progress("activate");
            await context.CallActivityAsync(nameof(RetrainActivities.Activate), new ActivateInput(version, exported.ItemCount), retry);
            Step("activate");
            record = record with { Version = version };
            Progress("cleanup");
            var reason = evaluation.Reason;
            try
            {
                await context.CallActivityAsync(nameof(RetrainActivities.Cleanup), new CleanupInput(settings.KeepVersions, settings.GraceSeconds), retry);
            }
            catch (TaskFailedException ex)
            {
                // The new version is live: a run that says "failed" while its model serves would contradict the pointer.
                // Old versions stay until the next run's cleanup; the record says why.
                reason += $"; cleanup failed ({ex.FailureDetails?.ErrorMessage ?? ex.Message}), old versions are kept until the next run";
            }

            Step("cleanup");
            return await FinishAsync(context, record with { Outcome = RunOutcome.Activated, Reason = reason }, steps, retry);
        }
        catch (TaskFailedException ex)
        {
            // The failed step and its reason go into the run record; the live model was not touched.
            var message = ex.FailureDetails?.ErrorMessage ?? ex.Message;
            var failed = record with { Outcome = RunOutcome.Failed, Reason = $"{ex.TaskName}: {message}", FailedStep = ex.TaskName, FailureType = ex.FailureDetails?.ErrorType, FailureMessage = message };
            LogStepFailed(log, runId, ex.TaskName, (context.CurrentUtcDateTime - stepStart).TotalSeconds, message);
            await FinishAsync(context, failed, steps, retry);
            throw;
        }
    }

    private static string NoDataReason(RetrainRunRecord record, RetrainSettings settings) =>
        record.WindowStart is { } start
            ? $"no user has 3 or more positive events in the {settings.WindowDays}-day training window ({record.LogBlobs} log blobs in the day folders since {start:yyyy-MM-dd}; Retrain:WindowDays 0 reads every log blob)"
            : "no user has 3 or more positive events";

    private static async Task<RetrainOutcome> FinishAsync(TaskOrchestrationContext context, RetrainRunRecord record, Dictionary<string, double> steps, TaskOptions retry)
    {
        var finished = record with { Finished = context.CurrentUtcDateTime, StepSeconds = steps };
        context.SetCustomStatus(new RetrainProgress(record.RunId, "writeRunRecord"));
        await context.CallActivityAsync(nameof(RetrainActivities.WriteRunRecord), finished, retry);
        var log = context.CreateReplaySafeLogger(typeof(RetrainOrchestration).FullName!);
        var seconds = (finished.Finished.Value - record.Started).TotalSeconds;
        var outcome = record.Outcome.ToWireName();
        LogRunFinished(log, record.RunId, outcome, seconds, record.Version, record.Reason);
        return new RetrainOutcome(record.RunId, record.Outcome, record.Version, record.Reason);
    }

    [LoggerMessage(EventId = 3101, Level = LogLevel.Information, Message = "Retrain run {RunId} started ({Trigger})")]
    private static partial void LogRunStarted(ILogger logger, string runId, string trigger);

    [LoggerMessage(EventId = 3102, Level = LogLevel.Information, Message = "Retrain run {RunId}: step {Step} started")]
    private static partial void LogStepStarted(ILogger logger, string runId, string step);

    [LoggerMessage(EventId = 3103, Level = LogLevel.Information, Message = "Retrain run {RunId}: step {Step} finished in {Seconds:F1} s")]
    private static partial void LogStepFinished(ILogger logger, string runId, string step, double seconds);

    [LoggerMessage(EventId = 3104, Level = LogLevel.Warning, Message = "Retrain run {RunId}: activity {Activity} failed after {Seconds:F1} s: {Error}")]
    private static partial void LogStepFailed(ILogger logger, string runId, string activity, double seconds, string error);

    [LoggerMessage(EventId = 3106, Level = LogLevel.Information, Message = "Retrain run {RunId} promoted challenger {Version} over {PreviousVersion}: {Reason}")]
    private static partial void LogChallengerPromoted(ILogger logger, string runId, string version, string? previousVersion, string reason);

    [LoggerMessage(EventId = 3105, Level = LogLevel.Information, Message = "Retrain run {RunId} finished in {Seconds:F1} s: {Outcome} (version {Version}; {Reason})")]
    private static partial void LogRunFinished(ILogger logger, string runId, string outcome, double seconds, string? version, string? reason);
}
