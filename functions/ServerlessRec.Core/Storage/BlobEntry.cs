namespace ServerlessRec.Storage;

/// <summary>What a listing or a properties call knows about a blob.</summary>
public sealed record BlobEntry(string Name, long Size, string ETag, DateTimeOffset LastModified);
