using System.Text.Json;
using System.Text.Json.Serialization;
using ServerlessRec.Storage;

namespace ServerlessRec.Serving;

/// <summary><c>models/current.json</c>: which model version serves traffic.</summary>
public sealed record ModelPointer
{
    /// <summary>The pointer's blob name in the models container.</summary>
    public const string BlobName = "current.json";

    /// <summary>Gets the live model version.</summary>
    [JsonPropertyName("version")]
    public required string Version { get; init; }

    /// <summary>Gets when the version was made live.</summary>
    [JsonPropertyName("activatedAt")]
    public required DateTimeOffset ActivatedAt { get; init; }

    /// <summary>Gets the version that was live before it (what a rollback returns to by default); null when none was.</summary>
    [JsonPropertyName("previousVersion")]
    public string? PreviousVersion { get; init; }

    /// <summary>Gets what made this version live: <c>retrain</c> (a run passed the gate) or <c>rollback</c> (an operator chose a kept version); null on pointers written before it was recorded.</summary>
    [JsonPropertyName("trigger")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Trigger { get; init; }

    /// <summary>Gets who asked for the activation (a run id for <c>retrain</c>; the operator for <c>rollback</c>).</summary>
    [JsonPropertyName("activatedBy")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? ActivatedBy { get; init; }

    /// <summary>Gets why the version was made live, in the words of whoever asked.</summary>
    [JsonPropertyName("reason")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Reason { get; init; }

    /// <summary>Reads the pointer and its ETag, or (null, null) when no model was ever activated.</summary>
    public static async Task<(ModelPointer? Pointer, string? ETag)> ReadAsync(IBlobStore store, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        var blob = await store.ReadAsync(ContainerNames.Models, BlobName, cancellationToken).ConfigureAwait(false);
        return blob is null ? (null, null) : (JsonSerializer.Deserialize<ModelPointer>(blob.Content.Span), blob.ETag);
    }

    /// <summary>Flips the pointer atomically: only if it still has <paramref name="expectedETag"/> (null: only if absent).</summary>
    public static Task<string> WriteAsync(IBlobStore store, ModelPointer modelPointer, string? expectedETag, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        var condition = expectedETag is null ? BlobWriteCondition.CreateOnly : BlobWriteCondition.Matching(expectedETag);
        return store.WriteAsync(ContainerNames.Models, BlobName, JsonSerializer.SerializeToUtf8Bytes(modelPointer), condition, cancellationToken);
    }
}
