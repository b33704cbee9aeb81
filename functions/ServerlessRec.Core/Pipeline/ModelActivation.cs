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

    /// <summary>
    /// Verifies the version's artefacts (hashes) and flips the pointer with an ETag condition, so two activations
    /// racing cannot both win silently. Returns the pointer written.
    /// </summary>
    public static async Task<ModelPointer> ActivateAsync(IBlobStore store, string version, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        await ModelPackage.ReadAsync(store, version, cancellationToken: cancellationToken).ConfigureAwait(false);
        var (current, etag) = await ModelPointer.ReadAsync(store, cancellationToken).ConfigureAwait(false);
        var pointer = new ModelPointer { Version = version, ActivatedAt = now, PreviousVersion = current?.Version };
        await ModelPointer.WriteAsync(store, pointer, etag, cancellationToken).ConfigureAwait(false);
        return pointer;
    }
}
