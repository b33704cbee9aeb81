namespace ServerlessRec.Storage;

/// <summary>A blob's content and the ETag it had when read.</summary>
public sealed record StoredBlob(ReadOnlyMemory<byte> Content, string ETag);
