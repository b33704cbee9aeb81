using ServerlessRec.Onnx;
using ServerlessRec.Serving;
using ServerlessRec.Storage;

namespace ServerlessRec.Pipeline;

/// <summary>Makes a published model version live by flipping <c>models/current.json</c> atomically.</summary>
public static class ModelActivation
{
    /// <summary>The <c>trigger</c> of an activation by a retraining run (<see cref="Diagnostics.ServerlessRecTelemetry.ModelActivations"/>).</summary>
    public const string RetrainTrigger = "retrain";

    /// <summary>The <c>trigger</c> of an activation that goes back to a kept version.</summary>
    public const string RollbackTrigger = "rollback";

    /// <summary>The <c>trigger</c> of an activation that makes the challenger the champion (by an operator or by the retraining's rule).</summary>
    public const string PromotionTrigger = "promotion";

    /// <summary>
    /// Verifies the version's artefacts (hashes) and flips the pointer with an ETag condition, so two activations
    /// racing cannot both win silently. Returns the pointer written.
    /// </summary>
    public static async Task<ModelPointer> ActivateAsync(IBlobStore store, string version, DateTimeOffset now, CancellationToken cancellationToken = default) =>
        await ActivateAsync(store, version, now, new ActivationOrigin(RetrainTrigger), cancellationToken).ConfigureAwait(false);

    /// <summary>As <see cref="ActivateAsync(IBlobStore, string, DateTimeOffset, CancellationToken)"/>, recording what made the version live.</summary>
    public static async Task<ModelPointer> ActivateAsync(IBlobStore store, string version, DateTimeOffset now, ActivationOrigin origin, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        await ModelPackage.ReadAsync(store, version, cancellationToken: cancellationToken).ConfigureAwait(false);
        var (current, etag) = await ModelPointer.ReadAsync(store, cancellationToken).ConfigureAwait(false);
        return await FlipAsync(store, current, etag, version, now, origin, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Writes the pointer to <paramref name="version"/> only if it still has <paramref name="expectedETag"/> (the ETag read
    /// with <paramref name="current"/>); the one write of every activation, retraining, rollback and promotion alike. A
    /// challenger (<c>models/challenger.json</c>) that names <paramref name="version"/> is then removed: once live, the version
    /// has nothing left to challenge, and both arms would be the same model.
    /// </summary>
    /// <exception cref="BlobConditionFailedException">Another activation changed the pointer since it was read.</exception>
    public static async Task<ModelPointer> FlipAsync(IBlobStore store, ModelPointer? current, string? expectedETag, string version, DateTimeOffset now, ActivationOrigin origin, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentException.ThrowIfNullOrEmpty(version);
        ArgumentNullException.ThrowIfNull(origin);
        var pointer = new ModelPointer
        {
            Version = version,
            ActivatedAt = now,
            PreviousVersion = current?.Version,
            Trigger = origin.Trigger,
            ActivatedBy = origin.By,
            Reason = origin.Reason,
        };
        await ModelPointer.WriteAsync(store, pointer, expectedETag, cancellationToken).ConfigureAwait(false);
        await EndChallengeOfAsync(store, version).ConfigureAwait(false);
        return pointer;
    }

    // The pointer is already written, so this is not cancelled half-way. Only the challenger read here is removed (its
    // ETag): an operator who starts another challenger meanwhile keeps it.
    private static async Task EndChallengeOfAsync(IBlobStore store, string version)
    {
        var (challenger, etag) = await ChallengerPointer.ReadAsync(store, CancellationToken.None).ConfigureAwait(false);
        if (challenger?.Version != version || etag is null)
        {
            return;
        }

        try
        {
            await ChallengerPointer.DeleteAsync(store, etag, CancellationToken.None).ConfigureAwait(false);
        }
        catch (BlobConditionFailedException)
        {
            // Changed since it was read: whoever changed it chose the challenger now running.
        }
    }
}
