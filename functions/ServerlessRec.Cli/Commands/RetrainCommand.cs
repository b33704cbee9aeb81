using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Testing;
using ServerlessRec.Cli.Settings;
using ServerlessRec.Events;
using ServerlessRec.Pipeline;
using ServerlessRec.Retrieval;
using ServerlessRec.Storage;
using ServerlessRec.Training;

namespace ServerlessRec.Cli.Commands;

/// <summary>
/// <c>serverlessrec retrain</c>: runs the same retraining orchestration as the Functions app, on the in-process
/// Durable Task host, over the configured store.
/// </summary>
internal sealed class RetrainCommand : CliCommand
{
    private readonly StoreOption _store;
    private readonly SettingFlags<RetrainOptions> _retrain;
    private readonly SettingFlags<TwoTowerOptions> _training;
    private readonly EventTypesOption _eventTypes;

    public RetrainCommand(CliContext context)
        : base(context, "retrain", "Run the retraining orchestration locally: validate logs, train, gate, export ONNX, index, activate.")
    {
        _store = new StoreOption(context);
        _retrain = TrainingFlags.CreateRetrain(context);
        _training = TrainingFlags.Create(context);
        _eventTypes = new EventTypesOption(context);
        Options.Add(_store.Option);
        _retrain.AddTo(this);
        Options.Add(_eventTypes.Option);
        _training.AddTo(this);
    }

    protected override async Task<int> RunAsync(ParseResult parse, TextWriter output, CancellationToken cancellationToken)
    {
        var cli = _store.Open(parse);
        var store = cli.Store;
        var search = SearchConfiguration.Read(Context.Configuration);
        var retrain = _retrain.Bind(parse);
        var training = _training.Bind(parse);
        var eventTypes = _eventTypes.Read(parse);
        var timeProvider = Context.Time;

        output.WriteLine(cli.Banner);
        var publisher = SearchConfiguration.CreatePublisher(store, search);

        // The in-process host logs every work item at Information; only warnings matter here.
        Environment.SetEnvironmentVariable("Logging__LogLevel__Default", "Warning");
        // The host creates activities per call; they share this run's dataset through one cache.
        var datasets = new RetrainDatasetCache();
        await using var host = await DurableTaskTestHost.StartAsync(tasks => tasks.AddRetrain(() => new RetrainActivities(store, publisher, training, eventTypes, timeProvider, datasets: datasets)), new DurableTaskTestHostOptions { Port = LoopbackPort.Free() }, cancellationToken).ConfigureAwait(false);
        var id = await host.Client.ScheduleNewOrchestrationInstanceAsync(RetrainOrchestration.Name, RetrainInput.From("cli", retrain, timeProvider.GetUtcNow()), cancellationToken).ConfigureAwait(false);
        output.WriteLine($"retraining {id} started (index: {(search.Provider == SearchProviderKind.AzureAISearch ? search.Endpoint : "embedded")})");
        var watch = System.Diagnostics.Stopwatch.StartNew();
        OrchestrationMetadata? metadata;
        while (true)
        {
            using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            wait.CancelAfter(TimeSpan.FromSeconds(10));
            try
            {
                metadata = await host.Client.WaitForInstanceCompletionAsync(id, getInputsAndOutputs: true, wait.Token).ConfigureAwait(false);
                break;
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  … still running ({watch.Elapsed.TotalSeconds:F0} s)"));
            }
        }

        var outcome = metadata.RuntimeStatus == OrchestrationRuntimeStatus.Completed ? metadata.ReadOutputAs<RetrainOutcome>() : null;
        // This run's record only: a run that ended without one must not be reported with the previous run's numbers.
        var runId = outcome?.RunId ?? (metadata.SerializedCustomStatus is not null && metadata.SerializedCustomStatus.TrimStart().StartsWith('{') ? metadata.ReadCustomStatusAs<RetrainProgress>()?.RunId : null);
        var record = runId is null ? null : await RunRecordAsync(store, runId, cancellationToken).ConfigureAwait(false);
        if (record is not null)
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  logs: {record.LogBlobs:N0} blobs{(record.WindowStart is { } w ? $" since {w:yyyy-MM-dd}" : string.Empty)}, {record.Lines:N0} lines, {record.Accepted:N0} accepted, {record.Rejected:N0} rejected ({IngestSummary.FormatReasons(record.RejectedByReason)})"));
            if (record.Dataset is { } d)
            {
                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  dataset: {d.Users:N0} users, {d.Items:N0} items, {d.Events:N0} events, {d.ForgottenUsers} forgotten users ({d.ExcludedEvents:N0} events excluded); serving histories of {record.SeededUsers:N0} users brought up to date, {record.QuarantinedUsers:N0} users quarantined"));
            }

            if (record.Training is { } t)
            {
                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  training: best epoch {t.BestEpoch}{(t.Averaged ? TrainingEpoch.AveragedLabel : string.Empty)}, validation NDCG@10 {t.ValidationNdcgAt10:F4}, {t.ExamplesPerSecond:N0} examples/s"));
            }

            if (record.LiveComparisonSkipped is { } skipped)
            {
                output.WriteLine($"  live comparison skipped: {skipped}");
            }

            output.WriteLine($"  steps: {string.Join(", ", record.StepSeconds.Select(s => string.Create(CultureInfo.InvariantCulture, $"{s.Key} {s.Value:F1} s")))}");
            output.WriteLine($"  run record: {cli.Where(ContainerNames.Runs, record.RunId + ".json")}");
        }

        if (outcome is null)
        {
            output.WriteLine($"retraining failed: {metadata.FailureDetails?.ErrorMessage ?? metadata.RuntimeStatus.ToString()}; the live model is unchanged");
            return 1;
        }

        output.WriteLine(outcome.Outcome == RunOutcome.Activated
            ? $"model {outcome.Version} is live ({outcome.Reason})"
            : $"no new model: {outcome.Outcome.ToWireName()} ({outcome.Reason}); the live model is unchanged");
        return outcome.Outcome == RunOutcome.Activated ? 0 : 3;
    }

    private static async Task<RetrainRunRecord?> RunRecordAsync(IBlobStore store, string runId, CancellationToken cancellationToken)
    {
        var content = await store.ReadAsync(ContainerNames.Runs, runId + ".json", cancellationToken).ConfigureAwait(false);
        return content is null ? null : JsonSerializer.Deserialize<RetrainRunRecord>(content.Content.Span);
    }

    internal static async Task<RetrainRunRecord?> LatestRunRecordAsync(IBlobStore store, CancellationToken cancellationToken)
    {
        BlobEntry? latest = null;
        await foreach (var blob in store.ListAsync(ContainerNames.Runs, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            if (!blob.Name.Contains('/', StringComparison.Ordinal) && (latest is null || blob.LastModified >= latest.LastModified))
            {
                latest = blob;
            }
        }

        var content = latest is null ? null : await store.ReadAsync(ContainerNames.Runs, latest.Name, cancellationToken).ConfigureAwait(false);
        return content is null ? null : JsonSerializer.Deserialize<RetrainRunRecord>(content.Content.Span);
    }
}
