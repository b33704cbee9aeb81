using System.Diagnostics;
using System.Text.Json;
using System.Threading.Channels;
using ServerlessRec.Diagnostics;
using ServerlessRec.Evaluation;
using ServerlessRec.Events;
using ServerlessRec.Onnx;
using ServerlessRec.Retrieval;
using ServerlessRec.Serving;
using ServerlessRec.Storage;
using ServerlessRec.Training;

namespace ServerlessRec.Pipeline;

/// <summary>
/// The activities of <see cref="RetrainOrchestration"/>: plain methods over the blob store, each reading and
/// writing blobs and returning small records. They throw on failure (the orchestration retries or fails the
/// run); none returns an error as data.
/// </summary>
public sealed class RetrainActivities
{
    /// <summary>The folder of a run's working blobs in the runs container.</summary>
    public const string WorkFolder = "work";

    /// <summary>The folder of <c>runs/</c> that holds each run's HTML report.</summary>
    public const string ReportsFolder = "reports";

    /// <summary>The fewest fresh validation users the live comparison needs to mean anything.</summary>
    public const int MinFreshUsers = 20;

    /// <summary>The file of <c>quarantine/&lt;runId&gt;/</c> that lists the users a per-user step left out.</summary>
    public const string QuarantinedUsersFile = "users.jsonl";

    /// <summary>Up to this many users may fail seedHistories whatever their share; beyond it, a majority failing is an outage.</summary>
    public const int MaxQuarantinedUsersBeforeFailing = 10;

    private const string SeedHistoriesStep = "seedHistories";

    private static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = true };

    private readonly IBlobStore _store;
    private readonly IItemIndexPublisher _publisher;
    private readonly TwoTowerOptions _training;
    private readonly EventTypeOptions _eventTypes;
    private readonly TimeProvider _time;
    private readonly ServerlessRecTelemetry? _telemetry;
    private readonly IModelIndexVerifier _indexes;
    private readonly RetrainDatasetCache _datasets;

    /// <summary>
    /// Creates the activities; with <paramref name="telemetry"/>, runs, quarantined lines and activations are counted.
    /// A host that creates activities per call passes its singleton <paramref name="datasets"/>, so the steps of a run
    /// load the dataset once; without one, these activities keep their own.
    /// </summary>
    /// <param name="store">Where the logs, models, runs and pointers are.</param>
    /// <param name="publisher">The index backend new versions are published to.</param>
    /// <param name="training">The trainer's options.</param>
    /// <param name="eventTypes">The event types and their weights.</param>
    /// <param name="time">The clock of exports and activations.</param>
    /// <param name="telemetry">Where runs, quarantined lines and activations are counted; none when <see langword="null"/>.</param>
    /// <param name="indexes">
    /// The check of a kept version's index before an automatic promotion makes it live; <see langword="null"/>: the embedded
    /// index's files with the embedded publisher, else the item count of <paramref name="publisher"/>'s index.
    /// </param>
    /// <param name="datasets">The host's dataset cache; <see langword="null"/>: these activities keep their own.</param>
    public RetrainActivities(IBlobStore store, IItemIndexPublisher publisher, TwoTowerOptions training, EventTypeOptions eventTypes, TimeProvider time, ServerlessRecTelemetry? telemetry = null, IModelIndexVerifier? indexes = null, RetrainDatasetCache? datasets = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(publisher);
        ArgumentNullException.ThrowIfNull(training);
        ArgumentNullException.ThrowIfNull(eventTypes);
        ArgumentNullException.ThrowIfNull(time);
        _store = store;
        _publisher = publisher;
        _training = training;
        _eventTypes = eventTypes;
        _time = time;
        _telemetry = telemetry;
        _indexes = indexes ?? (publisher is EmbeddedItemIndexPublisher ? new EmbeddedModelIndexVerifier(store) : new PublishedIndexVerifier(publisher));
        _datasets = datasets ?? new RetrainDatasetCache();
    }

    /// <summary>Runs one activity as a measured retraining step (<see cref="RetrainActivitiesExtensions.MeasureStepAsync{T}"/>).</summary>
    internal Task<T> MeasureStepCoreAsync<T>(string step, Func<RetrainActivities, Task<T>> activity) =>
        _telemetry is null ? activity(this) : MeasuredAsync(_telemetry, step, activity);

    /// <summary>
    /// Step 0: deletes the scratch of other runs (<c>runs/work/&lt;run&gt;/</c>): the orchestration is a singleton, so
    /// any other run's scratch was left by a run that crashed or was terminated before its record was written, and
    /// it holds a full copy of the events (forgotten users' included). The current run's scratch is kept, so a
    /// retried or replayed call deletes nothing of its own. Returns the number of blobs deleted.
    /// </summary>
    public async Task<int> RemoveStaleScratch(ScratchInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var own = $"{WorkFolder}/{input.RunId}/";
        var stale = new List<string>();
        await foreach (var blob in _store.ListAsync(ContainerNames.Runs, WorkFolder + "/").ConfigureAwait(false))
        {
            if (!blob.Name.StartsWith(own, StringComparison.Ordinal))
            {
                stale.Add(blob.Name);
            }
        }

        foreach (var name in stale)
        {
            await _store.DeleteAsync(ContainerNames.Runs, name).ConfigureAwait(false);
        }

        return stale.Count;
    }

    /// <summary>
    /// Step 0b: erases forgotten users' lines dated at or before their tombstone from every log blob and quarantine file
    /// (<see cref="ForgottenEventPurger"/>); incremental through <c>runs/state/purge.json</c>.
    /// </summary>
    public Task<PurgeForgottenResult> PurgeForgotten(PurgeForgottenInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return new ForgottenEventPurger(_store).PurgeAsync(input.RunStart);
    }

    /// <summary>
    /// Step 0c: the online metrics of the <see cref="OnlineMetricsInput.Days"/> days before the run
    /// (<see cref="OnlineMetricsCalculator"/>): the impression log's records of those days, and the events of their day
    /// folders that carry a <c>recommendationId</c>; coverage, Gini and popularity over each model version's items.
    /// Reads only, so a retry computes the same numbers.
    /// </summary>
    public async Task<OnlineMetricsResult> ComputeOnlineMetrics(OnlineMetricsInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var to = input.RunStart;
        var from = to.AddDays(-input.Days);
        long unreadable = 0;
        var served = new List<ImpressionRecord>();
        await foreach (var record in ImpressionLog.ReadAsync(_store, from, to, _ => unreadable++).ConfigureAwait(false))
        {
            served.Add(record);
        }

        var attributed = new AttributedEventSink(from, to);
        var reader = new EventFileReader(_eventTypes);
        foreach (var prefix in ImpressionLog.DayPrefixes(from, to))
        {
            var names = new List<string>();
            await foreach (var blob in _store.ListAsync(ContainerNames.Events, prefix).ConfigureAwait(false))
            {
                names.Add(blob.Name);
            }

            foreach (var name in names.Where(n => EventFileFormat.TryFromFileName(n, out _)))
            {
                var stream = await _store.OpenReadAsync(ContainerNames.Events, name).ConfigureAwait(false);
                if (stream is null)
                {
                    continue;
                }

                await using (stream.ConfigureAwait(false))
                {
                    await reader.ReadAsync(stream, $"{ContainerNames.Events}/{name}", EventFileFormat.FromFileName(name), attributed).ConfigureAwait(false);
                }
            }
        }

        var catalogs = new Dictionary<string, OnlineCatalog?>(StringComparer.Ordinal);
        foreach (var version in served.Select(r => r.ModelVersion).Distinct(StringComparer.Ordinal))
        {
            catalogs[version] = await ReadOnlineCatalogAsync(version).ConfigureAwait(false);
        }

        var groups = OnlineMetricsCalculator.Compute(served, attributed.Events, _eventTypes, v => catalogs.GetValueOrDefault(v), out var unattributed);
        return new OnlineMetricsResult(from, to, groups, unattributed, unreadable) { Challenge = ChallengerComparison.Compare(groups, input.ChallengerMinImpressions) };
    }

    /// <summary>
    /// Step 0c′ (<see cref="RetrainOptions.AutoPromoteChallenger"/>, when the comparison says <c>better</c>): promotes the
    /// challenger the comparison measured through <see cref="ModelAdministration.PromoteChallengerAsync"/>, the path of
    /// <c>POST /api/models/challenger/promote</c>, with the run id as who. A challenger that was stopped or replaced since
    /// is not promoted (the result says so); a retry that finds this run's promotion live reports it done.
    /// </summary>
    public async Task<ChallengerPromotionResult> AutoPromoteChallenger(ChallengerPromotionInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var (live, _) = await ModelPointer.ReadAsync(_store).ConfigureAwait(false);
        if (live is not null && live.Version == input.Version && live.Trigger == ModelActivation.PromotionTrigger && live.ActivatedBy == input.RunId)
        {
            return new ChallengerPromotionResult(true, input.Version, live.PreviousVersion, null, input.Reason);
        }

        var (challenger, _) = await ChallengerPointer.ReadAsync(_store).ConfigureAwait(false);
        if (challenger?.Version != input.Version)
        {
            var now = challenger is null ? "no challenger runs now" : $"the challenger is now {challenger.Version}";
            return new ChallengerPromotionResult(false, input.Version, null, null, $"not promoted: the comparison measured {input.Version}, but {now}");
        }

        var administration = new ModelAdministration(_store, _indexes, _time, telemetry: _telemetry);
        var result = await administration.PromoteChallengerAsync(input.RunId, input.Reason, input.Version).ConfigureAwait(false);
        return result.Changed
            ? new ChallengerPromotionResult(true, input.Version, result.Live.PreviousVersion, result.RunId, input.Reason)
            : new ChallengerPromotionResult(false, input.Version, null, null, $"not promoted: {input.Version} was already the live version; its challenger pointer was removed");
    }

    /// <summary>
    /// Step 0d: deletes the impression log's blobs in day folders (<c>yyyy/MM/dd/</c>) more than
    /// <see cref="ExpireImpressionsInput.RetentionDays"/> days before the run's day; other names are left alone. Returns how
    /// many were deleted (a retry finds fewer).
    /// </summary>
    public async Task<int> ExpireImpressions(ExpireImpressionsInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var cutoff = input.RunStart.UtcDateTime.Date.AddDays(-input.RetentionDays);
        var expired = new List<string>();
        await foreach (var blob in _store.ListAsync(ContainerNames.Impressions).ConfigureAwait(false))
        {
            if (blob.Name.Length > 10
                && DateTime.TryParseExact(blob.Name.AsSpan(0, 10), "yyyy'/'MM'/'dd", System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.None, out var day)
                && day < cutoff)
            {
                expired.Add(blob.Name);
            }
        }

        foreach (var name in expired)
        {
            await _store.DeleteAsync(ContainerNames.Impressions, name).ConfigureAwait(false);
        }

        return expired.Count;
    }

    /// <summary>A model version's item count and training popularity; <see langword="null"/> once the version is deleted.</summary>
    private async Task<OnlineCatalog?> ReadOnlineCatalogAsync(string version)
    {
        // The version comes from a log line: it must name one folder of the models container, nothing else.
        if (version.Length == 0 || version.Contains('/', StringComparison.Ordinal) || version.Contains('\\', StringComparison.Ordinal) || version is "." or "..")
        {
            return null;
        }

        var items = await _store.ReadAsync(ContainerNames.Models, ModelPackage.BlobName(version, ModelManifest.ItemsFile)).ConfigureAwait(false);
        if (items is null)
        {
            return null;
        }

        var list = ModelExporter.ReadItems(items.Content.ToArray());
        var popularity = new Dictionary<string, long>(list.Count, StringComparer.Ordinal);
        foreach (var item in list)
        {
            popularity[item.ItemId] = item.Popularity;
        }

        return new OnlineCatalog(list.Count, popularity);
    }

    /// <summary>
    /// Step 1: the log blobs to read: those in the day folders (<c>yyyy/MM/dd/</c>) of the training window, one prefix
    /// listing per day, or every event file when the window is 0. Each is marked for seeding when it is a bulk blob the
    /// seed watermark has not seen with this ETag.
    /// </summary>
    public async Task<List<LogBlob>> ListPartitions(ListPartitionsInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var watermark = await SeedWatermark.ReadAsync(_store).ConfigureAwait(false);
        var repairs = await ApiEventLog.ReadHistoryRepairsAsync(_store).ConfigureAwait(false);
        var blobs = new List<LogBlob>();
        foreach (var prefix in WindowPrefixes(input))
        {
            await foreach (var blob in _store.ListAsync(ContainerNames.Events, prefix).ConfigureAwait(false))
            {
                if (EventFileFormat.TryFromFileName(blob.Name, out _))
                {
                    blobs.Add(new LogBlob(blob.Name, blob.ETag, (!IsApiLog(blob.Name) || repairs.Contains(blob.Name)) && !watermark.Contains(blob.Name, blob.ETag)));
                }
            }
        }

        return blobs;
    }

    /// <summary>The first instant of a run's training window (<see langword="null"/>: no window).</summary>
    public static DateTimeOffset? WindowStart(DateTimeOffset runStart, int windowDays) =>
        windowDays <= 0 ? null : runStart.AddDays(-windowDays);

    /// <summary>The day folders of the window, oldest first, up to the day of the latest accepted event time.</summary>
    internal static IEnumerable<string> WindowPrefixes(ListPartitionsInput input)
    {
        if (WindowStart(input.RunStart, input.WindowDays) is not { } start)
        {
            yield return string.Empty;
            yield break;
        }

        var last = input.RunStart.AddSeconds(input.FutureSkewSeconds).UtcDateTime.Date;
        for (var day = start.UtcDateTime.Date; day <= last; day = day.AddDays(1))
        {
            yield return day.ToString("yyyy'/'MM'/'dd'/'", System.Globalization.CultureInfo.InvariantCulture);
        }
    }

    /// <summary>
    /// Blobs written by <c>POST /api/events</c> (<c>api-*</c>): their events reached the histories when posted, unless a
    /// post's history updates failed, which leaves a repair request (<see cref="ApiEventLog.TryRequestHistoryRepairAsync"/>).
    /// </summary>
    private static bool IsApiLog(string name) => name.AsSpan(name.LastIndexOf('/') + 1).StartsWith("api-", StringComparison.Ordinal);

    /// <summary>
    /// Step 2 (fan-out): parse and validate some log blobs; valid events go to one compact shard, bad lines (and events
    /// later than <see cref="CompactInput.NotAfter"/>) to quarantine. The users of the blobs marked for seeding are listed
    /// in <c>work/&lt;run&gt;/seed-users-&lt;shard&gt;.jsonl</c>, one line per blob.
    /// </summary>
    public async Task<CompactResult> Compact(CompactInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var quarantine = new QuarantineWriter(_store, input.RunId);
        var reader = new EventFileReader(_eventTypes, notAfter: input.NotAfter);
        using var shard = new ShardWriter(quarantine, _eventTypes);
        using var seedUsers = new MemoryStream();
        var summary = IngestSummary.Empty;
        foreach (var blob in input.Blobs)
        {
            var stream = await _store.OpenReadAsync(ContainerNames.Events, blob.Name).ConfigureAwait(false)
                ?? throw new FileNotFoundException($"log blob {ContainerNames.Events}/{blob.Name} disappeared during the run");
            shard.SeedUsers = blob.Seed ? new HashSet<string>(StringComparer.Ordinal) : null;
            await using (stream.ConfigureAwait(false))
            {
                summary = summary.Add(await reader.ReadAsync(stream, $"{ContainerNames.Events}/{blob.Name}", EventFileFormat.FromFileName(blob.Name), shard).ConfigureAwait(false));
            }

            if (shard.SeedUsers is { } users)
            {
                JsonSerializer.Serialize(seedUsers, new SeedUsersLine(blob.Name, blob.ETag, [.. users.Order(StringComparer.Ordinal)]));
                seedUsers.WriteByte((byte)'\n');
            }
        }

        await quarantine.FlushAsync().ConfigureAwait(false);
        var shardBlob = $"{WorkFolder}/{input.RunId}/shard-{input.Shard:D5}.jsonl";
        await shard.UploadAsync(_store, ContainerNames.Runs, shardBlob).ConfigureAwait(false);
        string? seedUsersBlob = null;
        if (seedUsers.Length > 0)
        {
            seedUsersBlob = $"{WorkFolder}/{input.RunId}/seed-users-{input.Shard:D5}.jsonl";
            await _store.WriteAsync(ContainerNames.Runs, seedUsersBlob, seedUsers.ToArray()).ConfigureAwait(false);
        }

        return new CompactResult(shardBlob, summary.Lines, summary.Accepted, summary.Rejected, summary.RejectedByReason.ToDictionary(StringComparer.Ordinal), seedUsersBlob);
    }

    /// <summary>Step 3: vocabularies, sequences and the leave-last-out split; forgotten users' events excluded.</summary>
    public async Task<DatasetSummary> BuildDataset(ShardsInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var (data, excluded, forgotten, _) = await LoadAsync(input.Shards).ConfigureAwait(false);
        var split = LeaveLastOutSplit.Create(data);
        return new DatasetSummary(data.UserCount, data.ItemCount, data.EventCount, split.Users.Length, excluded, forgotten);
    }

    /// <summary>
    /// Step 3b: brings the serving histories of the users with events in new bulk blobs up to date with the logs, so
    /// they get personal rankings at once (API-posted events reached the histories when posted). Idempotent (the
    /// history store keeps each event once, and writes nothing when nothing changed); forgotten users' events up to
    /// their tombstone are not in the dataset, so they are never written back. A user whose history cannot be written
    /// is quarantined (<c>quarantine/&lt;runId&gt;/users.jsonl</c>, hashed id and reason) and the run goes on; the blobs
    /// holding that user's events stay out of the seed watermark, so the next run tries again. Costs one history read
    /// per user of the new bulk blobs, and a write only for those whose history changed.
    /// </summary>
    /// <exception cref="IOException">More than half of the users (and more than <see cref="MaxQuarantinedUsersBeforeFailing"/>) failed: an outage, not bad data; the step is retried.</exception>
    public async Task<SeedResult> SeedHistories(SeedInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var watermark = await SeedWatermark.ReadAsync(_store).ConfigureAwait(false);
        var lines = new List<SeedUsersLine>();
        foreach (var blob in input.SeedUsersBlobs)
        {
            var stored = await _store.ReadAsync(ContainerNames.Runs, blob).ConfigureAwait(false)
                ?? throw new FileNotFoundException($"seed list {ContainerNames.Runs}/{blob} is missing");
            foreach (var line in System.Text.Encoding.UTF8.GetString(stored.Content.Span).Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                lines.Add(JsonSerializer.Deserialize<SeedUsersLine>(line)!);
            }
        }

        var users = lines.SelectMany(l => l.Users).ToHashSet(StringComparer.Ordinal);
        var outcome = new SeedOutcome(0, []);
        if (users.Count > 0)
        {
            var (data, _, _, _) = await LoadAsync(input.Shards).ConfigureAwait(false);
            outcome = await UserHistorySeeder.SeedUsersAsync(data, new UserHistoryStore(_store, types: _eventTypes), users).ConfigureAwait(false);
        }

        var failed = outcome.Quarantined.Count;
        if (failed > MaxQuarantinedUsersBeforeFailing && failed * 2 > outcome.Seeded + failed)
        {
            throw new IOException($"the histories of {failed} of {outcome.Seeded + failed} users could not be written (the first: user {outcome.Quarantined[0].UserHash}: {outcome.Quarantined[0].Reason}): that is an outage, not bad data");
        }

        if (failed > 0)
        {
            var quarantine = new MemoryStream();
            foreach (var user in outcome.Quarantined)
            {
                JsonSerializer.Serialize(quarantine, new QuarantinedUserLine(user.UserHash, SeedHistoriesStep, user.Reason));
                quarantine.WriteByte((byte)'\n');
            }

            await _store.WriteAsync(ContainerNames.Quarantine, $"{input.RunId}/{QuarantinedUsersFile}", quarantine.ToArray()).ConfigureAwait(false);
        }

        var failedUsers = outcome.Quarantined.Select(q => q.UserId).ToHashSet(StringComparer.Ordinal);
        foreach (var line in lines.Where(l => !l.Users.Any(failedUsers.Contains)))
        {
            watermark.Blobs[line.Blob] = line.ETag;
            if (IsApiLog(line.Blob))
            {
                // An API log blob is seeded only on request (a post whose history updates failed): the request is done.
                await ApiEventLog.ClearHistoryRepairAsync(_store, line.Blob).ConfigureAwait(false);
            }
        }

        if (input.WindowStart is { } windowStart)
        {
            watermark.DropBefore(windowStart);
        }

        await watermark.WriteAsync(_store).ConfigureAwait(false);
        return new SeedResult(outcome.Seeded, failed);
    }

    /// <summary>
    /// Step 4: tune the epochs on TRAIN with early stopping on VALIDATION (best parameters kept), then refit on every
    /// event except each evaluated user's TEST event (<see cref="LeaveLastOutSplit.AllButTestEnds"/>) for that many
    /// epochs: the refit is what ships, and the gate scores it on those TEST events, which neither trained it nor chose
    /// its epochs (above <see cref="TwoTowerOptions.RefitMaxEvents"/> events the tuned model ships, scored the same way).
    /// Checkpoints go to the runs container after every epoch, so a retried activity resumes instead of starting over.
    /// </summary>
    public async Task<TrainResult> Train(ShardsInput input, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(input);
        var (data, _, _, _) = await LoadAsync(input.Shards).ConfigureAwait(false);
        var split = LeaveLastOutSplit.Create(data);
        var folder = $"{WorkFolder}/{input.RunId}";
        var tunedBlob = $"{folder}/tuned.ckpt";
        var tunedInfoBlob = $"{folder}/tuned.json";
        var finalBlob = $"{folder}/final.ckpt";

        TunedInfo tuned;
        var tunedInfo = await _store.ReadAsync(ContainerNames.Runs, tunedInfoBlob, cancellationToken).ConfigureAwait(false);
        if (tunedInfo is not null)
        {
            tuned = JsonSerializer.Deserialize<TunedInfo>(tunedInfo.Content.Span)!;
        }
        else
        {
            var result = await TuneAsync(data, split, folder, cancellationToken).ConfigureAwait(false);
            await _store.WriteAsync(ContainerNames.Runs, tunedBlob, new TwoTowerCheckpoint(result.Model, result.BestEpoch).ToBytes(), cancellationToken: cancellationToken).ConfigureAwait(false);
            tuned = new TunedInfo(
                result.BestEpoch,
                result.Epochs.FirstOrDefault(e => e.Epoch == result.BestEpoch)?.ValidationNdcgAt10 ?? 0,
                result.Epochs.Select(e => e.Loss).ToList(),
                result.Epochs.Select(e => e.ValidationNdcgAt10 ?? 0).ToList(),
                result.ExamplesPerSecond,
                result.BestIsAverage);
            await _store.WriteAsync(ContainerNames.Runs, tunedInfoBlob, JsonSerializer.SerializeToUtf8Bytes(tuned), cancellationToken: cancellationToken).ConfigureAwait(false);
        }

        var protocol = new TuneThenRefit(_training);
        if (!protocol.Refits(data))
        {
            return new TrainResult(tuned.BestEpoch, tuned.ValidationNdcgAt10, tuned.Losses, tuned.ValidationCurve, tuned.ExamplesPerSecond, tunedBlob, tunedBlob, tuned.Averaged);
        }

        var resume = await _store.ReadAsync(ContainerNames.Runs, finalBlob, cancellationToken).ConfigureAwait(false) is { } saved ? TwoTowerCheckpoint.FromBytes(saved.Content.Span) : null;
        if (resume is null || resume.Epoch < protocol.RefitOptions(tuned.BestEpoch, tuned.Averaged).Epochs)
        {
            // The newest positive of every evaluated user stays out: the gate scores the shipped model on it.
            var ends = split.AllButTestEnds;
            await TrainWritingAsync(
                (emit, token) => protocol.Refit(data, ends, tuned.BestEpoch, tuned.Averaged, null, resume, checkpoint => emit([(finalBlob, checkpoint.ToBytes())]), token),
                cancellationToken).ConfigureAwait(false);
        }

        return new TrainResult(tuned.BestEpoch, tuned.ValidationNdcgAt10, tuned.Losses, tuned.ValidationCurve, tuned.ExamplesPerSecond, tunedBlob, finalBlob, tuned.Averaged);
    }

    /// <summary>
    /// The tuning phase (early stopping on VALIDATION of a fixed-seed user sample), checkpointed after every epoch with its
    /// early-stopping state (current and best parameters, scores so far), so a retried activity resumes it where it stopped.
    /// Above <see cref="TwoTowerOptions.RefitMaxEvents"/> it is the only training, hence the checkpoints.
    /// </summary>
    private async Task<TrainingResult> TuneAsync(InteractionDataset data, LeaveLastOutSplit split, string folder, CancellationToken cancellationToken)
    {
        var currentBlob = $"{folder}/tuning-current.ckpt";
        var bestBlob = $"{folder}/tuning-best.ckpt";
        var stateBlob = $"{folder}/tuning.json";
        TrainingProgress? resume = null;
        if (await _store.ReadAsync(ContainerNames.Runs, stateBlob, cancellationToken).ConfigureAwait(false) is { } stateBytes
            && await _store.ReadAsync(ContainerNames.Runs, currentBlob, cancellationToken).ConfigureAwait(false) is { } currentBytes)
        {
            var state = JsonSerializer.Deserialize<TuningState>(stateBytes.Content.Span)!;
            var best = await _store.ReadAsync(ContainerNames.Runs, bestBlob, cancellationToken).ConfigureAwait(false) is { } bestBytes ? TwoTowerCheckpoint.FromBytes(bestBytes.Content.Span).Model : null;
            resume = new TrainingProgress(TwoTowerCheckpoint.FromBytes(currentBytes.Content.Span), best, state.BestEpoch, state.BestScore, state.Epochs, state.Finished);
        }

        var sample = UserSample(split, _training.EarlyStoppingUsers, _training.Seed);
        return await TrainWritingAsync(
            (emit, token) => new TuneThenRefit(_training).Tune(
                data,
                split,
                sample,
                null,
                resume,
                progress =>
                {
                    // The state goes last: it names the epoch the checkpoints before it hold.
                    var writes = new List<(string, byte[])> { (currentBlob, progress.Current.ToBytes()) };
                    if (progress.Best is { } best)
                    {
                        writes.Add((bestBlob, new TwoTowerCheckpoint(best, progress.BestEpoch).ToBytes()));
                    }

                    writes.Add((stateBlob, JsonSerializer.SerializeToUtf8Bytes(new TuningState(progress.BestEpoch, progress.BestScore, [.. progress.Epochs], progress.Finished))));
                    emit(writes);
                },
                token),
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The users early stopping or the gate scores: all of them, or a sample fixed by the seed (the same on a retry).</summary>
    internal static LeaveLastOutSplit UserSample(LeaveLastOutSplit split, int users, int seed)
    {
        if (users <= 0 || split.Users.Length <= users)
        {
            return split;
        }

        var positions = Enumerable.Range(0, split.Users.Length).ToArray();
        new Random(seed ^ 0x3A5E_11D5).Shuffle(positions);
        var kept = positions.Take(users).ToHashSet();
        return split.Subset(kept.Contains);
    }

    /// <summary>
    /// Step 5: the promotion gate on the TEST slice (every evaluated user's newest positive, when it is a target): the
    /// model that will ship (<see cref="EvaluateInput.ShippedCheckpoint"/>) must beat popularity (counted on the same
    /// events the shipped model trained on), and not lose to the live model by more than the margin. Early stopping
    /// chose the epochs on VALIDATION and the shipped model never trained on TEST, so the score is not optimistic.
    /// </summary>
    public async Task<EvaluateResult> Evaluate(EvaluateInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var (data, _, _, _) = await LoadAsync(input.Shards).ConfigureAwait(false);
        var split = LeaveLastOutSplit.Create(data);
        var shipped = await ReadCheckpointAsync(input.ShippedCheckpoint).ConfigureAwait(false);

        // A fixed-seed sample of users (Training:GateUsers) bounds the gate's time, which grows as users × items.
        var gateUsers = UserSample(split, _training.GateUsers, _training.Seed);
        var candidate = RankingEvaluator.Evaluate(gateUsers, HeldOut.Test, new TwoTowerScorer(shipped.Result, data, _training));
        var popularity = RankingEvaluator.Evaluate(gateUsers, HeldOut.Test, new PopularityScorer(data, split.AllButTestEnds));

        // The live model is compared on the TEST events it has not trained on (newer than its data
        // cutoff), with the candidate scored on the same users; otherwise it would win on events it memorised.
        RankingMetrics? live = null;
        RankingMetrics? candidateOnFresh = null;
        string? skipped = null;
        var (pointer, _) = await ModelPointer.ReadAsync(_store).ConfigureAwait(false);
        var liveNote = ", no live model";
        if (pointer is not null)
        {
            using var liveModel = await ServingModel.LoadAsync(_store, pointer.Version).ConfigureAwait(false);
            var cutoff = LiveDataCutoff(liveModel.Manifest);
            // Only targets count: users whose held-out item repeats their history would be scored on no one.
            // Chosen among all users (so a sample never leaves too few), then sampled like the gate's.
            var fresh = UserSample(split.Subset(i => data.EventTimes[split.TestEvent[i]] > cutoff && RankingEvaluator.IsTarget(data, data.UserOffsets[split.Users[i]], split.TestEvent[i])), _training.GateUsers, _training.Seed);
            if (fresh.Users.Length >= MinFreshUsers)
            {
                live = RankingEvaluator.Evaluate(fresh, HeldOut.Test, new ServingModelScorer(liveModel, data));
                candidateOnFresh = RankingEvaluator.Evaluate(fresh, HeldOut.Test, new TwoTowerScorer(shipped.Result, data, _training));
                liveNote = $", on {fresh.Users.Length} users with events newer than live {pointer.Version}: candidate {candidateOnFresh.NdcgAt10:F4} vs live {live.NdcgAt10:F4}";
            }
            else
            {
                skipped = $"only {fresh.Users.Length} users have held-out events newer than the data cutoff of live {pointer.Version}, {DateTimeOffset.FromUnixTimeSeconds(cutoff):u}, and {MinFreshUsers} are needed";
                liveNote = $"; live comparison skipped: {skipped}";
            }
        }

        if (!(candidate.NdcgAt10 > popularity.NdcgAt10))
        {
            return new EvaluateResult(false, $"candidate NDCG@10 {candidate.NdcgAt10:F4} does not beat popularity {popularity.NdcgAt10:F4}", candidate, popularity, live, pointer?.Version, skipped);
        }

        if (skipped is not null && input.RequireLiveComparison)
        {
            return new EvaluateResult(false, $"the live model was not compared and Retrain:RequireLiveComparison is set{liveNote}", candidate, popularity, live, pointer!.Version, skipped);
        }

        if (live is not null && candidateOnFresh!.NdcgAt10 < live.NdcgAt10 - input.PromotionMargin)
        {
            return new EvaluateResult(false, $"candidate loses to the live model by more than {input.PromotionMargin:F4}{liveNote}", candidate, popularity, live, pointer!.Version, skipped);
        }

        return new EvaluateResult(true, $"candidate NDCG@10 {candidate.NdcgAt10:F4} vs popularity {popularity.NdcgAt10:F4}{liveNote}", candidate, popularity, live, pointer?.Version, skipped);
    }

    /// <summary>
    /// The newest event time (Unix seconds) the live model can have trained on: its recorded data cutoff, but never later
    /// than when it was exported, so a model exported before cutoffs were clamped (one event dated 2099 made it 2099)
    /// does not switch the live comparison off for ever.
    /// </summary>
    internal static long LiveDataCutoff(ModelManifest manifest)
    {
        var created = manifest.Created.ToUnixTimeSeconds();
        return manifest.Training.TryGetValue(ModelExporter.DataCutoffKey, out var seconds) ? Math.Min((long)seconds, created) : created;
    }

    /// <summary>Step 6: export both towers as ONNX (parity-checked) with the manifest, into models/&lt;version&gt;/.</summary>
    public async Task<ExportResult> ExportOnnx(ExportInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (await ModelPackage.ReadManifestAsync(_store, input.Version).ConfigureAwait(false) is { } existing)
        {
            // A retried export whose first attempt got as far as the manifest: the package is complete.
            return new ExportResult(existing.Version, existing.ItemCount, existing.Dimensions);
        }

        var (data, _, _, catalogWatermark) = await LoadAsync(input.Shards).ConfigureAwait(false);
        var final = await ReadCheckpointAsync(input.FinalCheckpoint).ConfigureAwait(false);
        var metrics = new Dictionary<string, RankingMetrics> { [ModelMetricKeys.Model] = input.Evaluation.Candidate, [ModelMetricKeys.Popularity] = input.Evaluation.Popularity };
        if (input.Evaluation.Live is { } live)
        {
            metrics[ModelMetricKeys.Live] = live;
        }

        var package = ModelExporter.Export(final.Result, data, _training, _eventTypes, input.Version, _time.GetUtcNow(), metrics, new Dictionary<string, double> { ["epochs"] = final.Epoch, ["events"] = data.EventCount, ["users"] = data.UserCount }, dataCutoffNotAfter: input.RunStart);
        package = package with { Manifest = package.Manifest with { CatalogWatermark = catalogWatermark } };
        await package.WriteAsync(_store).ConfigureAwait(false);
        return new ExportResult(input.Version, package.Manifest.ItemCount, package.Manifest.Dimensions);
    }

    /// <summary>Step 7a: create the version's index.</summary>
    public Task CreateIndex(ExportResult exported)
    {
        ArgumentNullException.ThrowIfNull(exported);
        return _publisher.CreateVersionAsync(exported.Version, exported.Dimensions);
    }

    /// <summary>
    /// Step 7b (fan-out): upload a range of the version's item vectors to its index. Reads the manifest, the item list
    /// and only its slice of <c>item_vectors.bin</c> (a range read), so the slices together read the vectors once instead
    /// of once each; the package's hashes are verified once, by Activate, before the version can go live.
    /// </summary>
    public async Task IndexItems(IndexItemsInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var manifest = await ModelPackage.ReadManifestAsync(_store, input.Version).ConfigureAwait(false)
            ?? throw new FileNotFoundException($"model {input.Version} has no manifest");
        var itemsBlob = await _store.ReadAsync(ContainerNames.Models, ModelPackage.BlobName(input.Version, ModelManifest.ItemsFile)).ConfigureAwait(false)
            ?? throw new FileNotFoundException($"model {input.Version} has no {ModelManifest.ItemsFile}");
        var slice = ModelExporter.ReadItems(itemsBlob.Content.ToArray()).Skip(input.Start).Take(input.Count).ToList();
        if (slice.Count == 0)
        {
            return;
        }

        var d = manifest.Dimensions;
        var first = slice.Min(i => i.Index);
        var last = slice.Max(i => i.Index);
        var bytes = checked((last - first + 1) * d * sizeof(float));
        var range = await _store.ReadRangeAsync(ContainerNames.Models, ModelPackage.BlobName(input.Version, ModelManifest.ItemVectorsFile), (long)(first - 1) * d * sizeof(float), bytes).ConfigureAwait(false);
        if (range is null || range.Length != bytes)
        {
            throw new InvalidDataException($"model {input.Version}: {ModelManifest.ItemVectorsFile} is missing or shorter than its {manifest.ItemCount} items");
        }

        var vectors = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(range).ToArray();
        var batch = slice
            .Select(i => new IndexedItem(i.ItemId, vectors.AsMemory((i.Index - first) * d, d), i.Categories, i.Available, i.Popularity))
            .ToList();
        await _publisher.UploadAsync(input.Version, batch).ConfigureAwait(false);
    }

    /// <summary>
    /// Step 8: verify the index holds every item, then flip models/current.json. With a remote index (Azure AI Search), the
    /// catalog updates written after the training's catalog read (<see cref="ModelManifest.CatalogWatermark"/>) went into
    /// the previous version's index only: they are merged into this version's index before the flip, and once more after
    /// it, for the updates written while the first merge ran (merging twice changes nothing).
    /// </summary>
    public async Task Activate(ActivateInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var (pointer, _) = await ModelPointer.ReadAsync(_store).ConfigureAwait(false);
        var alreadyLive = pointer?.Version == input.Version;

        // The embedded index needs no replay: every instance builds the delta segment of the updates itself.
        var replay = _publisher is EmbeddedItemIndexPublisher ? null : new Catalog.CatalogIndexReplay(_store, _publisher, _time);
        ServingModel? model = null;
        try
        {
            string? watermark = null;
            IReadOnlyList<CatalogItem> pending = [];
            var newIds = 0;
            if (replay is not null)
            {
                var manifest = await ModelPackage.ReadManifestAsync(_store, input.Version).ConfigureAwait(false)
                    ?? throw new FileNotFoundException($"model {input.Version} has no manifest");
                watermark = manifest.CatalogWatermark;
                pending = await replay.PendingAsync(watermark).ConfigureAwait(false);
                if (pending.Count > 0)
                {
                    model = await ServingModel.LoadAsync(_store, input.Version).ConfigureAwait(false);
                    newIds = pending.Count(i => model.IndexOf(i.ItemId) == 0);
                }
            }

            if (!alreadyLive)
            {
                // A retried activation finds the new ids an earlier attempt replayed already in the index.
                var count = await _publisher.CountAsync(input.Version).ConfigureAwait(false);
                if (count < input.ExpectedItems || count > input.ExpectedItems + newIds)
                {
                    throw new InvalidOperationException($"index of version {input.Version} holds {count} items, expected {input.ExpectedItems}: not activated");
                }
            }

            if (model is not null)
            {
                await replay!.MergeAsync(model, pending).ConfigureAwait(false);
            }

            if (!alreadyLive)
            {
                await ModelActivation.ActivateAsync(_store, input.Version, _time.GetUtcNow()).ConfigureAwait(false);
                _telemetry?.ModelActivated(input.Version, ModelActivation.RetrainTrigger);
            }

            if (replay is not null && await replay.PendingAsync(watermark).ConfigureAwait(false) is { Count: > 0 } late)
            {
                model ??= await ServingModel.LoadAsync(_store, input.Version).ConfigureAwait(false);
                await replay.MergeAsync(model, late).ConfigureAwait(false);
            }
        }
        finally
        {
            model?.Dispose();
        }
    }

    /// <summary>
    /// Keeps the live version and the newest others up to <see cref="CleanupInput.KeepVersions"/>; deletes older versions,
    /// their blobs and their index (either backend), and the idempotency markers of <c>POST /api/events</c> older than a day. The previously live version is kept until
    /// <see cref="CleanupInput.GraceSeconds"/> after the activation, whatever the retention: serving instances may still
    /// be answering from its index (the next run's cleanup deletes it). Then compacts the catalog updates the live version
    /// was trained with (<see cref="Catalog.CatalogUpdateCompactor"/>), past the same grace period.
    /// </summary>
    public async Task Cleanup(CleanupInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var (pointer, _) = await ModelPointer.ReadAsync(_store).ConfigureAwait(false);
        var versions = new SortedSet<string>(StringComparer.Ordinal);
        await foreach (var blob in _store.ListAsync(ContainerNames.Models).ConfigureAwait(false))
        {
            var slash = blob.Name.IndexOf('/', StringComparison.Ordinal);
            if (slash > 0)
            {
                versions.Add(blob.Name[..slash]);
            }
        }

        var inGrace = pointer?.PreviousVersion is { } previous && _time.GetUtcNow() < pointer.ActivatedAt.AddSeconds(input.GraceSeconds) ? previous : null;
        // A running challenger serves traffic too: it is kept like the live version, whatever its age.
        var (challenger, _) = await ChallengerPointer.ReadAsync(_store).ConfigureAwait(false);
        var retired = versions.Reverse().Where(v => v != pointer?.Version).Skip(Math.Max(0, input.KeepVersions - 1)).Where(v => v != inGrace && v != challenger?.Version).ToList();
        foreach (var version in retired)
        {
            // A rollback may have made this version live (or the previous one) since the pointer was read above: the
            // pointer is read again right before each deletion, so cleanup never deletes what an operator just chose.
            var (latest, _) = await ModelPointer.ReadAsync(_store).ConfigureAwait(false);
            if (latest is not null && (latest.Version == version || (latest.PreviousVersion == version && _time.GetUtcNow() < latest.ActivatedAt.AddSeconds(input.GraceSeconds))))
            {
                continue;
            }

            if ((await ChallengerPointer.ReadAsync(_store).ConfigureAwait(false)).Pointer?.Version == version)
            {
                continue;
            }

            var names = new List<string>();
            await foreach (var blob in _store.ListAsync(ContainerNames.Models, version + "/").ConfigureAwait(false))
            {
                names.Add(blob.Name);
            }

            // The manifest goes first, so a half-deleted version can never be loaded.
            foreach (var name in names.OrderBy(n => n.EndsWith(ModelManifest.FileName, StringComparison.Ordinal) ? 0 : 1))
            {
                await _store.DeleteAsync(ContainerNames.Models, name).ConfigureAwait(false);
            }

            await _publisher.DeleteVersionAsync(version).ConfigureAwait(false);
        }

        // The catalog updates the live version's training read, past the grace period, fold into one blob (the same states).
        var (live, _) = await ModelPointer.ReadAsync(_store).ConfigureAwait(false);
        if (live is not null && await LiveCatalogWatermarkAsync(live.Version).ConfigureAwait(false) is { } watermark)
        {
            await new Catalog.CatalogUpdateCompactor(_store, _time).CompactAsync(watermark, _time.GetUtcNow().AddSeconds(-input.GraceSeconds)).ConfigureAwait(false);
        }

        // Idempotency keys of POST /api/events are honoured for a day; older markers are of no use.
        await new Http.IdempotencyMarkers(_store, _time).DeleteExpiredAsync().ConfigureAwait(false);
    }

    /// <summary>The catalog watermark of the live version; null when it has none or its manifest cannot be read (nothing is compacted then).</summary>
    private async Task<string?> LiveCatalogWatermarkAsync(string version)
    {
        try
        {
            return (await ModelPackage.ReadManifestAsync(_store, version).ConfigureAwait(false))?.CatalogWatermark;
        }
        catch (ModelIntegrityException)
        {
            // Serving reports a live version it cannot load; compaction only has to keep every update, which doing nothing does.
            return null;
        }
    }

    /// <summary>
    /// Writes <c>runs/&lt;runId&gt;.json</c> and its HTML report (<c>runs/reports/&lt;runId&gt;.html</c>, and
    /// <c>models/&lt;version&gt;/report.html</c> when a version went live), then deletes the run's scratch
    /// (<c>runs/work/&lt;runId&gt;/</c>: compacted shards and checkpoints, which hold raw events and are of no use once
    /// the run has ended).
    /// </summary>
    public async Task WriteRunRecord(RetrainRunRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        ReleaseDataset(record.RunId);
        await _store.WriteAsync(ContainerNames.Runs, $"{record.RunId}.json", JsonSerializer.SerializeToUtf8Bytes(record, JsonOptions)).ConfigureAwait(false);
        var report = System.Text.Encoding.UTF8.GetBytes(RetrainReport.ToHtml(record));
        await _store.WriteAsync(ContainerNames.Runs, $"{ReportsFolder}/{record.RunId}.html", report).ConfigureAwait(false);
        if (record.Version is { } version)
        {
            await _store.WriteAsync(ContainerNames.Models, $"{version}/{RetrainReport.FileName}", report).ConfigureAwait(false);
        }

        var scratch = new List<string>();
        await foreach (var blob in _store.ListAsync(ContainerNames.Runs, $"{WorkFolder}/{record.RunId}/").ConfigureAwait(false))
        {
            scratch.Add(blob.Name);
        }

        foreach (var name in scratch)
        {
            await _store.DeleteAsync(ContainerNames.Runs, name).ConfigureAwait(false);
        }

        // Counted once the record is written: a retried write does not count the run twice.
        CountRun(record);
    }

    /// <summary>
    /// Trains on a worker thread and writes what each epoch emits (checkpoints, state) while the next epoch runs, so a
    /// retry after a crash resumes from the last finished epoch. The blobs are serialised on the training thread (the
    /// model keeps changing) and written in order: an epoch that finishes while two writes are still outstanding waits for
    /// the older one. A failed write, or cancellation by the host, stops the training.
    /// </summary>
    private async Task<T> TrainWritingAsync<T>(Func<Action<IReadOnlyList<(string Blob, byte[] Bytes)>>, CancellationToken, T> train, CancellationToken cancellationToken)
    {
        var pending = Channel.CreateBounded<IReadOnlyList<(string Blob, byte[] Bytes)>>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.Wait, SingleReader = true, SingleWriter = true });
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var training = Task.Run(
            () =>
            {
                try
                {
                    return train(writes => pending.Writer.WriteAsync(writes, stop.Token).AsTask().GetAwaiter().GetResult(), stop.Token);
                }
                finally
                {
                    pending.Writer.Complete();
                }
            },
            CancellationToken.None);
        try
        {
            await foreach (var writes in pending.Reader.ReadAllAsync(CancellationToken.None).ConfigureAwait(false))
            {
                foreach (var (blob, bytes) in writes)
                {
                    await _store.WriteAsync(ContainerNames.Runs, blob, bytes, cancellationToken: cancellationToken).ConfigureAwait(false);
                }
            }
        }
        catch (Exception)
        {
            // Stop the trainer before the activity fails, so a retry never runs alongside it.
            await stop.CancelAsync().ConfigureAwait(false);
            await training.ContinueWith(static _ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default).ConfigureAwait(false);
            throw;
        }

        return await training.ConfigureAwait(false);
    }

    private async Task<TwoTowerCheckpoint> ReadCheckpointAsync(string blob)
    {
        var stored = await _store.ReadAsync(ContainerNames.Runs, blob).ConfigureAwait(false)
            ?? throw new FileNotFoundException($"checkpoint {ContainerNames.Runs}/{blob} is missing");
        return TwoTowerCheckpoint.FromBytes(stored.Content.Span);
    }

    internal async Task<(InteractionDataset Data, long ExcludedEvents, int ForgottenUsers, string? CatalogWatermark)> LoadAsync(IReadOnlyList<string> shards)
    {
        var key = string.Join('\n', shards);
        if (_datasets.TryGet(_store, key, out var cached))
        {
            return cached;
        }

        var loaded = await LoadFromShardsAsync(shards).ConfigureAwait(false);
        _datasets.Set(_store, key, loaded);
        return loaded;
    }

    /// <summary>
    /// The run's outcome (<c>no-data</c> counts as <c>skipped</c>: nothing was trained) and what it quarantined: lines by
    /// their rejection reason, users whose history could not be seeded.
    /// </summary>
    private void CountRun(RetrainRunRecord record)
    {
        if (_telemetry is null)
        {
            return;
        }

        _telemetry.RetrainRunFinished(record.Outcome == RunOutcome.NoData ? "skipped" : record.Outcome.ToWireName());
        foreach (var (reason, count) in record.RejectedByReason)
        {
            _telemetry.Quarantined(reason, count);
        }

        _telemetry.Quarantined(ServerlessRecTelemetry.SeedHistoryFailedReason, record.QuarantinedUsers);
        foreach (var group in record.OnlineMetrics?.Groups ?? [])
        {
            _telemetry.OnlineMetricsComputed(group);
        }
    }

    private async Task<T> MeasuredAsync<T>(ServerlessRecTelemetry telemetry, string step, Func<RetrainActivities, Task<T>> activity)
    {
        using var trace = telemetry.ActivitySource.StartActivity("retrain." + step);
        trace?.SetTag("step", step);
        var started = _time.GetTimestamp();
        try
        {
            var result = await activity(this).ConfigureAwait(false);
            telemetry.RetrainStepFinished(step, succeeded: true, _time.GetElapsedTime(started));
            return result;
        }
        catch (Exception ex)
        {
            trace?.SetStatus(ActivityStatusCode.Error, ex.GetType().Name);
            telemetry.RetrainStepFinished(step, succeeded: false, _time.GetElapsedTime(started));
            throw;
        }
    }

    /// <summary>Drops the cached dataset of a run (its shards live under <c>work/&lt;runId&gt;/</c>).</summary>
    private void ReleaseDataset(string runId) => _datasets.Release(_store, $"{WorkFolder}/{runId}/");

    private async Task<(InteractionDataset Data, long ExcludedEvents, int ForgottenUsers, string? CatalogWatermark)> LoadFromShardsAsync(IReadOnlyList<string> shards)
    {
        var loader = new DatasetLoader(_eventTypes, _training.FeatureBuckets);
        var forgotten = await ForgottenUsers.ReadAllAsync(_store).ConfigureAwait(false);
        loader.ExcludeForgottenUsers(forgotten);
        await loader.AddCatalogFromStoreAsync(_store).ConfigureAwait(false);
        // Items the API added or changed since the catalog blob was written: every item of the catalog is trained.
        await loader.AddCatalogUpdatesFromStoreAsync(_store).ConfigureAwait(false);
        foreach (var shard in shards)
        {
            var stream = await _store.OpenReadAsync(ContainerNames.Runs, shard).ConfigureAwait(false)
                ?? throw new FileNotFoundException($"shard {ContainerNames.Runs}/{shard} is missing");
            await using (stream.ConfigureAwait(false))
            {
                await loader.AddEventsAsync(stream, shard, EventFileFormat.JsonLines).ConfigureAwait(false);
            }
        }

        return (loader.Build(), loader.ExcludedEventCount, forgotten.Count, loader.LastCatalogUpdate);
    }

    /// <summary>Keeps the events of a window that carry a <c>recommendationId</c>.</summary>
    private sealed class AttributedEventSink(DateTimeOffset from, DateTimeOffset to) : IEventSink
    {
        public List<InteractionEvent> Events { get; } = [];

        public void OnEvent(in InteractionEvent e)
        {
            if (e.RecommendationId is not null && e.Timestamp >= from && e.Timestamp < to)
            {
                Events.Add(e);
            }
        }

        // The same lines are quarantined, with their reasons, by the compaction of this run or the next.
        public void OnRejected(RejectedLine line)
        {
        }
    }

    /// <summary>One line of a seed list: a bulk blob to seed, with its ETag and its users.</summary>
    private sealed record SeedUsersLine(string Blob, string ETag, IReadOnlyList<string> Users);

    /// <summary>One line of <c>quarantine/&lt;runId&gt;/users.jsonl</c>.</summary>
    private sealed record QuarantinedUserLine(
        [property: System.Text.Json.Serialization.JsonPropertyName("userHash")] string UserHash,
        [property: System.Text.Json.Serialization.JsonPropertyName("step")] string Step,
        [property: System.Text.Json.Serialization.JsonPropertyName("reason")] string Reason);

    private sealed record TuningState(int BestEpoch, double BestScore, List<TrainingEpoch> Epochs, bool Finished);

    private sealed record TunedInfo(int BestEpoch, double ValidationNdcgAt10, List<double> Losses, List<double> ValidationCurve, double ExamplesPerSecond, bool Averaged = false);

    /// <summary>
    /// Writes validated events as contract JSON Lines (the compact shard) to a temporary file, so compacting a shard
    /// takes constant memory whatever its size, and forwards rejected lines.
    /// </summary>
    private sealed class ShardWriter : IEventSink, IDisposable
    {
        private readonly FileStream _file;
        private readonly Utf8JsonWriter _writer;
        private readonly QuarantineWriter _quarantine;

        private readonly EventTypeOptions _types;

        public ShardWriter(QuarantineWriter quarantine, EventTypeOptions types)
        {
            _types = types;
            _file = new FileStream(Path.Combine(Path.GetTempPath(), $"serverlessrec-shard-{Guid.NewGuid():N}.jsonl"), FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1 << 16, FileOptions.DeleteOnClose | FileOptions.Asynchronous);
            _writer = new Utf8JsonWriter(_file);
            _quarantine = quarantine;
        }

        /// <summary>Gets or sets the users of the blob being read, when it is to be seeded.</summary>
        public HashSet<string>? SeedUsers { get; set; }

        public void Dispose()
        {
            _writer.Dispose();
            _file.Dispose();
        }

        public void OnEvent(in InteractionEvent e)
        {
            // Impressions are read by the online metrics, never trained on: they stay out of the shard (and the dataset).
            if (_types.IsExposure(e.Type))
            {
                return;
            }

            SeedUsers?.Add(e.UserId);
            _writer.Reset(_file);
            _writer.WriteStartObject();
            _writer.WriteString("userId", e.UserId);
            _writer.WriteString("itemId", e.ItemId);
            _writer.WriteString("type", e.Type);
            _writer.WriteNumber("timestamp", e.Timestamp.ToUnixTimeSeconds());
            if (e.Value is { } value)
            {
                _writer.WriteNumber("value", value);
            }

            _writer.WriteEndObject();
            _writer.Flush();
            _file.WriteByte((byte)'\n');
        }

        public void OnRejected(RejectedLine line) => _quarantine.OnRejected(line);

        /// <summary>Uploads the shard as one blob, streamed from the temporary file.</summary>
        public async Task UploadAsync(IBlobStore store, string container, string name)
        {
            await _file.FlushAsync().ConfigureAwait(false);
            _file.Position = 0;
            await store.UploadAsync(container, name, _file).ConfigureAwait(false);
        }
    }

    // A remote index backend's check when none is given: the version's index holds one document per item, as activation requires.
    private sealed class PublishedIndexVerifier(IItemIndexPublisher publisher) : IModelIndexVerifier
    {
        public async Task<string?> FindProblemAsync(ModelManifest manifest, CancellationToken cancellationToken = default)
        {
            ArgumentNullException.ThrowIfNull(manifest);
            var count = await publisher.CountAsync(manifest.Version, cancellationToken).ConfigureAwait(false);
            return count == manifest.ItemCount ? null : $"the index of model {manifest.Version} holds {count} items, the version has {manifest.ItemCount}: the index is missing or incomplete";
        }
    }
}
