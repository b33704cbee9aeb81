using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using ServerlessRec.Pipeline;
using ServerlessRec.Serving;

namespace ServerlessRec.Http;

/// <summary>
/// The operations handlers of the model versions, written once for both hosts: <c>GET /api/status</c>,
/// <c>POST /api/models/{version}/activate</c> (a rollback) and the champion/challenger routes, over <see cref="ModelAdministration"/>.
/// </summary>
public sealed class ModelEndpoints
{
    /// <summary>The most runs <c>GET /api/status?runs=N</c> lists.</summary>
    public const int MaxRuns = 100;

    private readonly ModelAdministration _administration;
    private readonly ILogger<ModelEndpoints> _logger;

    /// <summary>Creates the handlers.</summary>
    public ModelEndpoints(ModelAdministration administration, ILogger<ModelEndpoints> logger)
    {
        ArgumentNullException.ThrowIfNull(administration);
        ArgumentNullException.ThrowIfNull(logger);
        _administration = administration;
        _logger = logger;
    }

    /// <summary><c>GET /api/status[?runs=N]</c>: the live version, the kept versions with their metrics, the last N runs (10 by default).</summary>
    public Task<IResult> StatusAsync(HttpRequest request, CancellationToken cancellationToken = default) =>
        ApiProblems.HandleAsync(
            async () =>
            {
                ArgumentNullException.ThrowIfNull(request);
                var runs = ModelAdministration.DefaultRuns;
                var values = request.Query["runs"];
                if (values.Count > 1 || (values.Count == 1 && (!int.TryParse(values[0], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out runs) || runs > MaxRuns)))
                {
                    throw new Serving.RequestValidationException("runs", $"runs must be given once, as a whole number from 0 to {MaxRuns}");
                }

                var status = await _administration.GetStatusAsync(runs, cancellationToken).ConfigureAwait(false);
                return Results.Json(status, ApiJsonContext.Default.ModelStatus);
            },
            _logger);

    /// <summary>
    /// <c>POST /api/models/{version}/activate</c> with <c>{"reason": "…", "requestedBy": "…"}</c> (both optional; <c>{}</c> at
    /// least): makes a kept version live after checking its hashes and its index. 200 with the new pointer; 400 for a bad
    /// version name, 404 for an unknown version, 409 when a check fails (the detail names the file or index) or another
    /// activation won the race.
    /// </summary>
    public Task<IResult> ActivateAsync(HttpRequest request, string version, CancellationToken cancellationToken = default) =>
        ApiProblems.HandleAsync(
            async () =>
            {
                ArgumentNullException.ThrowIfNull(request);
                ModelAdministration.ValidateVersion(version);
                var body = await RequestBody.ReadAsync<ModelActivationRequest>(request, cancellationToken).ConfigureAwait(false);
                var result = await _administration.ActivateAsync(version, body.RequestedBy, body.Reason, cancellationToken).ConfigureAwait(false);
                return Activation(result.Live, result.Changed, result.RunId);
            },
            _logger);

    /// <summary>
    /// <c>POST /api/models/{version}/challenge</c> with <c>{"share": 0.1, "reason": "…", "requestedBy": "…"}</c>: serves a kept
    /// version to that share of the users beside the live one, after the same checks as an activation. 200 with the
    /// challenger; 400 for a bad version name, a share out of (0, 0.5] or the live version; 404 for an unknown version;
    /// 409 when a check fails or another change won the race.
    /// </summary>
    public Task<IResult> ChallengeAsync(HttpRequest request, string version, CancellationToken cancellationToken = default) =>
        ApiProblems.HandleAsync(
            async () =>
            {
                ArgumentNullException.ThrowIfNull(request);
                ModelAdministration.ValidateVersion(version);
                var body = await RequestBody.ReadAsync<ModelChallengeRequest>(request, cancellationToken).ConfigureAwait(false);
                var share = body.Share ?? throw new Serving.RequestValidationException("share", "share is required: the share of users (above 0, at most 0.5) that get the challenger");
                var result = await _administration.ChallengeAsync(version, share, body.RequestedBy, body.Reason, cancellationToken).ConfigureAwait(false);
                return Results.Json(new ModelChallengerResponse { Challenger = result.Challenger, Changed = result.Changed }, ApiJsonContext.Default.ModelChallengerResponse);
            },
            _logger);

    /// <summary><c>DELETE /api/models/challenger</c>: stops the challenger; every user gets the live version again. 200 (changed false when none ran).</summary>
    public Task<IResult> StopChallengeAsync(HttpRequest request, CancellationToken cancellationToken = default) =>
        ApiProblems.HandleAsync(
            async () =>
            {
                ArgumentNullException.ThrowIfNull(request);
                var result = await _administration.StopChallengeAsync(cancellationToken).ConfigureAwait(false);
                return Results.Json(new ModelChallengerResponse { Challenger = result.Challenger, Changed = result.Changed }, ApiJsonContext.Default.ModelChallengerResponse);
            },
            _logger);

    /// <summary>
    /// <c>POST /api/models/challenger/promote</c> with <c>{"reason": "…", "requestedBy": "…"}</c> (both optional; <c>{}</c> at
    /// least): makes the challenger the live version after the activation checks and ends the challenge. 200 with the new
    /// pointer (<c>changed</c> false when the challenger was already live: its pointer is only removed); 404 when no
    /// challenger runs; 409 when a check fails or the challenger or the live pointer changed during the call.
    /// </summary>
    public Task<IResult> PromoteChallengerAsync(HttpRequest request, CancellationToken cancellationToken = default) =>
        ApiProblems.HandleAsync(
            async () =>
            {
                ArgumentNullException.ThrowIfNull(request);
                var body = await RequestBody.ReadAsync<ModelActivationRequest>(request, cancellationToken).ConfigureAwait(false);
                var result = await _administration.PromoteChallengerAsync(body.RequestedBy, body.Reason, cancellationToken: cancellationToken).ConfigureAwait(false);
                return Activation(result.Live, result.Changed, result.RunId);
            },
            _logger);

    /// <summary>The answer of an activation or a promotion: the live pointer after it.</summary>
    private static IResult Activation(ModelPointer live, bool changed, string? runId) =>
        Results.Json(
            new ModelActivationResponse
            {
                Version = live.Version,
                PreviousVersion = live.PreviousVersion,
                ActivatedAt = live.ActivatedAt,
                Trigger = live.Trigger,
                ActivatedBy = live.ActivatedBy,
                Reason = live.Reason,
                Changed = changed,
                RunId = runId,
            },
            ApiJsonContext.Default.ModelActivationResponse);
}
