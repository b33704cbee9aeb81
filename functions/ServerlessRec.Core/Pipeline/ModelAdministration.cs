using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using ServerlessRec.Onnx;
using ServerlessRec.Retrieval;
using ServerlessRec.Serving;
using ServerlessRec.Storage;

namespace ServerlessRec.Pipeline;

/// <summary>
/// The operator's view of the models: which versions are kept (with their metrics), which one is live, what the last
/// runs did; and a rollback, which makes a kept version live again only after its artefacts match their hashes and its
/// index is complete. Shared by <c>GET /api/status</c>, <c>POST /api/models/{version}/activate</c> and the CLI's
/// <c>status</c> and <c>rollback</c>.
/// </summary>
public sealed partial class ModelAdministration
{
    /// <summary>How many runs the status lists by default.</summary>
    public const int DefaultRuns = 10;

    /// <summary>The longest version name accepted.</summary>
    public const int MaxVersionLength = 128;

    private static readonly JsonSerializerOptions RecordJson = new() { WriteIndented = true };

    private readonly IBlobStore _store;
    private readonly IModelIndexVerifier _indexes;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Diagnostics.ServerlessRecTelemetry? _telemetry;

    /// <summary>Creates the service.</summary>
    /// <param name="store">Where the models, the live pointer and the run records are.</param>
    /// <param name="indexes">The check of a version's index for the configured backend (embedded or Azure AI Search).</param>
    /// <param name="time">The clock of activations.</param>
    /// <param name="logger">Where activations and refusals are logged; none when <see langword="null"/>.</param>
    /// <param name="telemetry">Where activations are counted (trigger <c>rollback</c>); none when <see langword="null"/>.</param>
    public ModelAdministration(IBlobStore store, IModelIndexVerifier indexes, TimeProvider time, ILogger<ModelAdministration>? logger = null, Diagnostics.ServerlessRecTelemetry? telemetry = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(indexes);
        ArgumentNullException.ThrowIfNull(time);
        _store = store;
        _indexes = indexes;
        _time = time;
        _logger = logger ?? (ILogger)NullLogger.Instance;
        _telemetry = telemetry;
    }

    /// <summary>Returns the live version, the kept versions (newest first) with their metrics, and the last <paramref name="runs"/> runs (newest first).</summary>
    public async Task<ModelStatus> GetStatusAsync(int runs = DefaultRuns, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(runs);
        var (pointer, _) = await ModelPointer.ReadAsync(_store, cancellationToken).ConfigureAwait(false);
        var (challenger, _) = await ChallengerPointer.ReadAsync(_store, cancellationToken).ConfigureAwait(false);
        var versions = new List<ModelVersionSummary>();
        foreach (var version in (await ListVersionFoldersAsync(cancellationToken).ConfigureAwait(false)).Reverse())
        {
            versions.Add(await SummarizeAsync(version, pointer, cancellationToken).ConfigureAwait(false));
        }

        var names = await ListRunNamesAsync(cancellationToken).ConfigureAwait(false);
        var runRecords = new List<RunSummary>();
        foreach (var name in names.Take(runs))
        {
            runRecords.Add(await ReadRunAsync(name, cancellationToken).ConfigureAwait(false));
        }

        // Promotions are named by their trigger (RecordAsync), so the last one is found without reading older records.
        var promotionName = names.FirstOrDefault(n => n.Contains($"-{ModelActivation.PromotionTrigger}-", StringComparison.Ordinal));
        var lastPromotion = promotionName is null ? null : await ReadRunAsync(promotionName, cancellationToken).ConfigureAwait(false);
        return new ModelStatus
        {
            Live = pointer,
            Challenger = challenger,
            Versions = versions,
            Runs = runRecords,
            LastPromotion = lastPromotion,
        };
    }

    /// <summary>
    /// Makes a kept version live again: <paramref name="to"/>, or by default the version that was live before the current
    /// one (<see cref="ModelPointer.PreviousVersion"/>).
    /// </summary>
    /// <exception cref="NotFoundException">No version is named and the pointer records no previous one, or the version does not exist.</exception>
    /// <inheritdoc cref="ActivateAsync" path="/exception"/>
    public async Task<ModelActivationResult> RollbackAsync(string? to, string? requestedBy, string? reason, CancellationToken cancellationToken = default)
    {
        if (to is null)
        {
            var (pointer, _) = await ModelPointer.ReadAsync(_store, cancellationToken).ConfigureAwait(false);
            to = pointer?.PreviousVersion
                ?? throw new NotFoundException("to", pointer is null
                    ? "no model has been activated yet, so there is nothing to roll back"
                    : $"models/{ModelPointer.BlobName} records no version that was live before {pointer.Version}; name one (kept versions: {await KeptVersionsTextAsync(cancellationToken).ConfigureAwait(false)})");
        }

        return await ActivateAsync(to, requestedBy, reason, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Activates a kept version (trigger <see cref="ModelActivation.RollbackTrigger"/>): reads the live pointer and its ETag,
    /// checks every artefact of the version against its SHA-256 in the manifest and the version's index, then writes the
    /// pointer only if it still has that ETag, and records the activation in <c>runs/</c>. Anything that fails leaves the
    /// pointer as it was. Activating the live version changes nothing.
    /// </summary>
    /// <param name="version">The kept version to make live.</param>
    /// <param name="requestedBy">Who asks (recorded in the pointer and the run record).</param>
    /// <param name="reason">Why (recorded likewise).</param>
    /// <param name="cancellationToken">Cancels the activation before the pointer is written.</param>
    /// <exception cref="RequestValidationException">The version is not a version name (field <c>version</c>).</exception>
    /// <exception cref="NotFoundException">The version does not exist (no manifest).</exception>
    /// <exception cref="ModelActivationRefusedException">An artefact is missing or does not match its hash, or the index is missing or incomplete.</exception>
    /// <exception cref="BlobConditionFailedException">Another activation changed the pointer during the checks.</exception>
    public async Task<ModelActivationResult> ActivateAsync(string version, string? requestedBy, string? reason, CancellationToken cancellationToken = default)
    {
        ValidateVersion(version);
        var (current, etag) = await ModelPointer.ReadAsync(_store, cancellationToken).ConfigureAwait(false);
        if (current?.Version == version)
        {
            // Read first so an unknown or copied version still answers 404/409 rather than "already live".
            await ReadManifestAsync(version, cancellationToken).ConfigureAwait(false);
            return new ModelActivationResult(current, Changed: false, RunId: null);
        }

        await VerifyAsync(version, cancellationToken).ConfigureAwait(false);
        var now = _time.GetUtcNow();
        var pointer = await ModelActivation.FlipAsync(_store, current, etag, version, now, new ActivationOrigin(ModelActivation.RollbackTrigger, requestedBy, reason), cancellationToken).ConfigureAwait(false);
        _telemetry?.ModelActivated(version, ModelActivation.RollbackTrigger);
        LogActivated(_logger, version, current?.Version);
        var runId = await RecordRollbackAsync(pointer, requestedBy, reason).ConfigureAwait(false);
        return new ModelActivationResult(pointer, Changed: true, runId);
    }

    /// <summary>
    /// Starts (or replaces) the challenger: <paramref name="version"/> is served to <paramref name="share"/> of the users
    /// beside the live version. The version passes the same checks as an activation (manifest, every artefact's hash, the
    /// index) before <c>models/challenger.json</c> is written, with the ETag read, so a concurrent change is not overwritten.
    /// </summary>
    /// <param name="version">The kept version to challenge the live one with; not the live version itself.</param>
    /// <param name="share">The share of users that get it: above 0, at most <see cref="ChallengerPointer.MaxShare"/>.</param>
    /// <param name="requestedBy">Who asks (recorded in the pointer).</param>
    /// <param name="reason">Why (recorded likewise).</param>
    /// <param name="cancellationToken">Cancels the checks before the pointer is written.</param>
    /// <exception cref="RequestValidationException">The version is not a version name (field <c>version</c>), the share is out of range (field <c>share</c>), or the version is the live one.</exception>
    /// <inheritdoc cref="ActivateAsync" path="/exception"/>
    public async Task<ModelChallengeResult> ChallengeAsync(string version, double share, string? requestedBy, string? reason, CancellationToken cancellationToken = default)
    {
        ValidateVersion(version);
        ValidateShare(share);
        var (live, _) = await ModelPointer.ReadAsync(_store, cancellationToken).ConfigureAwait(false);
        if (live is null)
        {
            throw new RequestValidationException("version", "no model is live yet: activate one before starting a challenger");
        }

        if (live.Version == version)
        {
            throw new RequestValidationException("version", $"{version} is the live version (the champion); a challenger must be another kept version");
        }

        var (current, etag) = await ChallengerPointer.ReadAsync(_store, cancellationToken).ConfigureAwait(false);
        if (current is not null && current.Version == version && current.Share.Equals(share))
        {
            return new ModelChallengeResult(current, Changed: false);
        }

        await VerifyAsync(version, cancellationToken).ConfigureAwait(false);
        var pointer = new ChallengerPointer
        {
            Version = version,
            Share = share,
            // A changed share keeps the start: the metrics of the challenge still count from it.
            StartedAt = current?.Version == version ? current.StartedAt : _time.GetUtcNow(),
            ChampionVersion = live.Version,
            RequestedBy = requestedBy,
            Reason = reason,
        };
        await ChallengerPointer.WriteAsync(_store, pointer, etag, cancellationToken).ConfigureAwait(false);
        LogChallengerStarted(_logger, version, share, live.Version);
        return new ModelChallengeResult(pointer, Changed: true);
    }

    /// <summary>Stops the challenger: removes <c>models/challenger.json</c> (all users get the live version again). Nothing changes when none runs.</summary>
    /// <exception cref="BlobConditionFailedException">The challenger was changed during the call.</exception>
    public async Task<ModelChallengeResult> StopChallengeAsync(CancellationToken cancellationToken = default)
    {
        var (current, etag) = await ChallengerPointer.ReadAsync(_store, cancellationToken).ConfigureAwait(false);
        if (current is null || etag is null)
        {
            return new ModelChallengeResult(null, Changed: false);
        }

        var deleted = await ChallengerPointer.DeleteAsync(_store, etag, cancellationToken).ConfigureAwait(false);
        if (deleted)
        {
            LogChallengerStopped(_logger, current.Version);
        }

        return new ModelChallengeResult(current, Changed: deleted);
    }

    /// <summary>
    /// Promotes the challenger: its version passes the activation checks (manifest, every artefact's hash, the index),
    /// <c>models/challenger.json</c> is removed only if it still has the ETag read first, then the live pointer flips to the
    /// version (trigger <see cref="ModelActivation.PromotionTrigger"/>) only if it still has its ETag, and the promotion is
    /// recorded in <c>runs/</c> like a rollback. A challenger that is already the live version is only removed.
    /// </summary>
    /// <param name="requestedBy">Who asks: an operator, or the run id of the retraining whose rule promoted it.</param>
    /// <param name="reason">Why (recorded in the pointer and the run record).</param>
    /// <param name="expectedVersion">The challenger version the caller decided on (the rule's measurement); <see langword="null"/>: whichever runs.</param>
    /// <param name="cancellationToken">Cancels the promotion before the first write.</param>
    /// <exception cref="NotFoundException">No challenger runs (field <c>challenger</c>).</exception>
    /// <exception cref="BlobConditionFailedException">
    /// The challenger is not <paramref name="expectedVersion"/>, or it or the live pointer changed during the call: nothing
    /// changed (a challenger removed before a failed flip is written back).
    /// </exception>
    /// <exception cref="ModelActivationRefusedException">An artefact is missing or does not match its hash, or the index is missing or incomplete.</exception>
    public async Task<ModelPromotionResult> PromoteChallengerAsync(string? requestedBy, string? reason, string? expectedVersion = null, CancellationToken cancellationToken = default)
    {
        var (challenger, challengerETag) = await ChallengerPointer.ReadAsync(_store, cancellationToken).ConfigureAwait(false);
        if (challenger is null || challengerETag is null)
        {
            throw new NotFoundException("challenger", $"no challenger runs (models/{ChallengerPointer.BlobName} does not exist): start one with POST /api/models/{{version}}/challenge or serverlessrec challenge VERSION --share 0.1");
        }

        if (expectedVersion is not null && challenger.Version != expectedVersion)
        {
            throw new BlobConditionFailedException($"the challenger is now {challenger.Version}, not {expectedVersion}: it was changed, so it is not promoted");
        }

        var (live, liveETag) = await ModelPointer.ReadAsync(_store, cancellationToken).ConfigureAwait(false);
        if (live?.Version == challenger.Version)
        {
            var removed = await ChallengerPointer.DeleteAsync(_store, challengerETag, cancellationToken).ConfigureAwait(false);
            return new ModelPromotionResult(live, challenger, Changed: false, RunId: null) { ChallengerRemoved = removed };
        }

        await VerifyAsync(challenger.Version, cancellationToken).ConfigureAwait(false);

        // The challenger goes first: if it changed meanwhile, nothing has changed yet and the caller gets a 409.
        await ChallengerPointer.DeleteAsync(_store, challengerETag, cancellationToken).ConfigureAwait(false);
        var now = _time.GetUtcNow();
        var origin = new ActivationOrigin(ModelActivation.PromotionTrigger, requestedBy, reason);
        ModelPointer pointer;
        try
        {
            pointer = await ModelActivation.FlipAsync(_store, live, liveETag, challenger.Version, now, origin, CancellationToken.None).ConfigureAwait(false);
        }
        catch (BlobConditionFailedException)
        {
            // Another activation won the race: the challenge goes on as it was, unless someone started another meanwhile.
            await RestoreChallengerAsync(challenger).ConfigureAwait(false);
            throw;
        }

        _telemetry?.ModelActivated(challenger.Version, ModelActivation.PromotionTrigger);
        LogPromoted(_logger, challenger.Version, live?.Version, requestedBy ?? "unknown", reason ?? string.Empty);
        var text = $"promoted challenger {challenger.Version} over {live?.Version ?? "no live model"}"
            + (requestedBy is { Length: > 0 } ? $" by {requestedBy}" : string.Empty)
            + (reason is { Length: > 0 } ? $": {reason}" : string.Empty);
        var runId = await RecordAsync(pointer, ModelActivation.PromotionTrigger, text).ConfigureAwait(false);
        return new ModelPromotionResult(pointer, challenger, Changed: true, runId) { ChallengerRemoved = true };
    }

    /// <summary>Checks a challenger's share: a finite number above 0 and at most <see cref="ChallengerPointer.MaxShare"/>.</summary>
    /// <exception cref="RequestValidationException">It is not (field <c>share</c>).</exception>
    public static void ValidateShare(double share)
    {
        if (!double.IsFinite(share) || share <= 0 || share > ChallengerPointer.MaxShare)
        {
            throw new RequestValidationException("share", $"share must be above 0 and at most {ChallengerPointer.MaxShare.ToString(System.Globalization.CultureInfo.InvariantCulture)} (the challenger is the smaller arm)");
        }
    }

    private async Task<ModelManifest> ReadManifestAsync(string version, CancellationToken cancellationToken)
    {
        ModelManifest? manifest;
        try
        {
            manifest = await ModelPackage.ReadManifestAsync(_store, version, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (ModelIntegrityException ex)
        {
            throw Refuse(version, ex.Message);
        }

        if (manifest is null)
        {
            throw new NotFoundException("version", $"model version \"{version}\" does not exist (kept versions: {await KeptVersionsTextAsync(cancellationToken).ConfigureAwait(false)})");
        }

        if (manifest.Version != version)
        {
            throw Refuse(version, $"model {version}: {ModelManifest.FileName} names version \"{manifest.Version}\"; it was copied from another version");
        }

        return manifest;
    }

    // The checks every version passes before it serves traffic, live or as a challenger: its manifest, each artefact's hash, its index.
    private async Task VerifyAsync(string version, CancellationToken cancellationToken)
    {
        var manifest = await ReadManifestAsync(version, cancellationToken).ConfigureAwait(false);
        foreach (var artifact in manifest.Artifacts.Keys.Order(StringComparer.Ordinal))
        {
            try
            {
                await ModelPackage.VerifyArtifactAsync(_store, manifest, artifact, cancellationToken: cancellationToken).ConfigureAwait(false);
            }
            catch (ModelIntegrityException ex)
            {
                throw Refuse(version, ex.Message);
            }
        }

        if (await _indexes.FindProblemAsync(manifest, cancellationToken).ConfigureAwait(false) is { } problem)
        {
            throw Refuse(version, problem);
        }
    }

    /// <summary>Checks a version name: 1 to <see cref="MaxVersionLength"/> ASCII letters, digits, <c>-</c>, <c>_</c> or <c>.</c>, starting with a letter or digit.</summary>
    /// <exception cref="RequestValidationException">It is not one (field <c>version</c>).</exception>
    public static void ValidateVersion(string? version)
    {
        if (string.IsNullOrEmpty(version))
        {
            throw new RequestValidationException("version", "version is required");
        }

        if (version.Length > MaxVersionLength)
        {
            throw new RequestValidationException("version", $"version is {version.Length} characters long; at most {MaxVersionLength} are allowed");
        }

        if (!char.IsAsciiLetterOrDigit(version[0]))
        {
            throw new RequestValidationException("version", "version must start with a letter or a digit");
        }

        foreach (var c in version)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not ('-' or '_' or '.'))
            {
                throw new RequestValidationException("version", $"version may hold only letters, digits, '-', '_' and '.', not '{(char.IsControl(c) ? "\\u" + ((int)c).ToString("x4", System.Globalization.CultureInfo.InvariantCulture) : c.ToString())}'");
            }
        }
    }

    private ModelActivationRefusedException Refuse(string version, string problem)
    {
        LogRefused(_logger, version, problem);
        return new ModelActivationRefusedException(version, $"model version {version} was not activated; the live model is unchanged: {problem}");
    }

    private async Task<SortedSet<string>> ListVersionFoldersAsync(CancellationToken cancellationToken)
    {
        var versions = new SortedSet<string>(StringComparer.Ordinal);
        await foreach (var blob in _store.ListAsync(ContainerNames.Models, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            var slash = blob.Name.IndexOf('/', StringComparison.Ordinal);
            if (slash > 0)
            {
                versions.Add(blob.Name[..slash]);
            }
        }

        return versions;
    }

    private async Task<string> KeptVersionsTextAsync(CancellationToken cancellationToken)
    {
        var versions = await ListVersionFoldersAsync(cancellationToken).ConfigureAwait(false);
        return versions.Count == 0 ? "none" : string.Join(", ", versions.Reverse());
    }

    private async Task<ModelVersionSummary> SummarizeAsync(string version, ModelPointer? pointer, CancellationToken cancellationToken)
    {
        var live = pointer?.Version == version;
        try
        {
            var manifest = await ModelPackage.ReadManifestAsync(_store, version, cancellationToken: cancellationToken).ConfigureAwait(false);
            if (manifest is null)
            {
                return new ModelVersionSummary { Version = version, Live = live, Problem = $"no {ModelManifest.FileName}: incomplete or being deleted" };
            }

            return new ModelVersionSummary
            {
                Version = version,
                Live = live,
                Created = manifest.Created,
                Items = manifest.ItemCount,
                Dimensions = manifest.Dimensions,
                Metrics = manifest.Metrics,
            };
        }
        catch (ModelIntegrityException ex)
        {
            return new ModelVersionSummary { Version = version, Live = live, Problem = ex.Message };
        }
    }

    private async Task<List<string>> ListRunNamesAsync(CancellationToken cancellationToken)
    {
        var names = new List<string>();
        await foreach (var blob in _store.ListAsync(ContainerNames.Runs, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            if (!blob.Name.Contains('/', StringComparison.Ordinal) && blob.Name.EndsWith(".json", StringComparison.Ordinal))
            {
                names.Add(blob.Name);
            }
        }

        // Run ids start with their UTC start time (yyyyMMdd-HHmmss), so name order is time order; newest first.
        names.Sort((a, b) => string.CompareOrdinal(b, a));
        return names;
    }

    private async Task<RunSummary> ReadRunAsync(string name, CancellationToken cancellationToken)
    {
        var blob = await _store.ReadAsync(ContainerNames.Runs, name, cancellationToken).ConfigureAwait(false);
        RetrainRunRecord? record = null;
        try
        {
            record = blob is null ? null : JsonSerializer.Deserialize<RetrainRunRecord>(blob.Content.Span);
        }
        catch (JsonException)
        {
            // Listed as unreadable below: one damaged record must not hide the others.
        }

        return record is null
            ? new RunSummary { RunId = name[..^".json".Length], Outcome = RunOutcome.Unreadable, Reason = $"{ContainerNames.Runs}/{name} is not a run record" }
            : new RunSummary
            {
                RunId = record.RunId,
                Trigger = record.Trigger,
                Started = record.Started,
                Finished = record.Finished,
                Outcome = record.Outcome,
                Version = record.Version,
                Reason = record.Outcome == RunOutcome.Failed ? RetrainFailureText.Describe(record) : record.Reason,
            };
    }

    private async Task RestoreChallengerAsync(ChallengerPointer challenger)
    {
        try
        {
            await ChallengerPointer.WriteAsync(_store, challenger, expectedETag: null, CancellationToken.None).ConfigureAwait(false);
        }
        catch (BlobConditionFailedException)
        {
            // Another challenger was started meanwhile: it is the operator's latest choice and stays.
        }
    }

    private Task<string> RecordRollbackAsync(ModelPointer pointer, string? requestedBy, string? reason) =>
        RecordAsync(
            pointer,
            ModelActivation.RollbackTrigger,
            $"rolled back from {pointer.PreviousVersion ?? "no live model"} to {pointer.Version}"
                + (requestedBy is { Length: > 0 } ? $" by {requestedBy}" : string.Empty)
                + (reason is { Length: > 0 } ? $": {reason}" : string.Empty));

    private async Task<string> RecordAsync(ModelPointer pointer, string trigger, string text)
    {
        // The trigger is in the run id, so the status finds the last promotion by name without reading every record.
        var runId = $"{pointer.ActivatedAt.UtcDateTime:yyyyMMdd-HHmmss}-{trigger}-{Guid.NewGuid().ToString("N")[..6]}";
        var record = new RetrainRunRecord
        {
            RunId = runId,
            Trigger = trigger,
            Started = pointer.ActivatedAt,
            Finished = pointer.ActivatedAt,
            Outcome = RunOutcome.Activated,
            Version = pointer.Version,
            Reason = text,
        };

        // The pointer is already written: the record must not be cancelled half-way.
        await _store.WriteAsync(ContainerNames.Runs, $"{runId}.json", JsonSerializer.SerializeToUtf8Bytes(record, RecordJson), cancellationToken: CancellationToken.None).ConfigureAwait(false);
        return runId;
    }

    [LoggerMessage(EventId = 4101, Level = LogLevel.Information, Message = "Model {Version} activated by rollback (was {PreviousVersion})")]
    private static partial void LogActivated(ILogger logger, string version, string? previousVersion);

    [LoggerMessage(EventId = 4102, Level = LogLevel.Warning, Message = "Model {Version} not activated: {Problem}")]
    private static partial void LogRefused(ILogger logger, string version, string problem);

    [LoggerMessage(EventId = 4103, Level = LogLevel.Information, Message = "Model {Version} challenges {ChampionVersion} with a share of {Share}")]
    private static partial void LogChallengerStarted(ILogger logger, string version, double share, string championVersion);

    [LoggerMessage(EventId = 4104, Level = LogLevel.Information, Message = "Challenger {Version} stopped")]
    private static partial void LogChallengerStopped(ILogger logger, string version);

    [LoggerMessage(EventId = 4105, Level = LogLevel.Information, Message = "Challenger {Version} promoted over {PreviousVersion} by {RequestedBy}: {Reason}")]
    private static partial void LogPromoted(ILogger logger, string version, string? previousVersion, string requestedBy, string reason);
}
