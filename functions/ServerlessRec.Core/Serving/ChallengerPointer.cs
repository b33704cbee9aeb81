using System.Text.Json;
using System.Text.Json.Serialization;
using ServerlessRec.Storage;

namespace ServerlessRec.Serving;

/// <summary>
/// <c>models/challenger.json</c>: a kept version served beside the live one (the champion) to a share of the users,
/// chosen by a stable bucket of their keyed id hash. Absent when no challenger runs.
/// </summary>
public sealed record ChallengerPointer
{
    /// <summary>The pointer's blob name in the models container.</summary>
    public const string BlobName = "challenger.json";

    /// <summary>The largest share of users a challenger may get: it is the smaller arm.</summary>
    public const double MaxShare = 0.5;

    /// <summary>Gets the challenger version.</summary>
    [JsonPropertyName("version")]
    public required string Version { get; init; }

    /// <summary>Gets the share of users (above 0, at most <see cref="MaxShare"/>) whose bucket sends them to the challenger.</summary>
    [JsonPropertyName("share")]
    public required double Share { get; init; }

    /// <summary>Gets when the challenge started (the online metrics count the challenger's impressions from then).</summary>
    [JsonPropertyName("startedAt")]
    public required DateTimeOffset StartedAt { get; init; }

    /// <summary>Gets the champion version it was started against (the live version then).</summary>
    [JsonPropertyName("championVersion")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? ChampionVersion { get; init; }

    /// <summary>Gets the promotion rule in words (<see langword="null"/>: promoted only by an operator).</summary>
    [JsonPropertyName("rule")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Rule { get; init; }

    /// <summary>Gets who started it.</summary>
    [JsonPropertyName("requestedBy")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? RequestedBy { get; init; }

    /// <summary>Gets why, in the words of whoever started it.</summary>
    [JsonPropertyName("reason")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Reason { get; init; }

    /// <summary>Reads the pointer and its ETag, or (null, null) when no challenger runs.</summary>
    public static async Task<(ChallengerPointer? Pointer, string? ETag)> ReadAsync(IBlobStore store, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        var blob = await store.ReadAsync(ContainerNames.Models, BlobName, cancellationToken).ConfigureAwait(false);
        return blob is null ? (null, null) : (JsonSerializer.Deserialize<ChallengerPointer>(blob.Content.Span), blob.ETag);
    }

    /// <summary>Writes the pointer only if it still has <paramref name="expectedETag"/> (null: only if absent), so two operators cannot replace each other's challenger silently.</summary>
    /// <exception cref="BlobConditionFailedException">The pointer changed since it was read.</exception>
    public static Task<string> WriteAsync(IBlobStore store, ChallengerPointer challengerPointer, string? expectedETag, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        var condition = expectedETag is null ? BlobWriteCondition.CreateOnly : BlobWriteCondition.Matching(expectedETag);
        return store.WriteAsync(ContainerNames.Models, BlobName, JsonSerializer.SerializeToUtf8Bytes(challengerPointer), condition, cancellationToken);
    }

    /// <summary>Removes the pointer only if it still has <paramref name="expectedETag"/>; false when it was already gone.</summary>
    public static Task<bool> DeleteAsync(IBlobStore store, string expectedETag, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        return store.DeleteAsync(ContainerNames.Models, BlobName, expectedETag, cancellationToken);
    }
}
