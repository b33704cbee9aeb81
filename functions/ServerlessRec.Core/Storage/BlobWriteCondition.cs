namespace ServerlessRec.Storage;

/// <summary>A precondition for a write.</summary>
/// <param name="IfMatch">Write only when the blob exists with this ETag.</param>
/// <param name="IfNotExists">Write only when the blob does not exist (create-only).</param>
public readonly record struct BlobWriteCondition(string? IfMatch = null, bool IfNotExists = false)
{
    /// <summary>No condition: last writer wins.</summary>
    public static BlobWriteCondition None => default;

    /// <summary>Create-only write.</summary>
    public static BlobWriteCondition CreateOnly => new(IfNotExists: true);

    /// <summary>Replace only the version with this ETag.</summary>
    public static BlobWriteCondition Matching(string etag) => new(IfMatch: etag);
}
