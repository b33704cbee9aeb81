namespace ServerlessRec.Storage;

/// <summary>
/// An append was refused because the append blob already holds <see cref="BlobAppendLimits.MaxBlocksPerBlob"/> blocks
/// (Azure's <c>BlockCountExceedsLimit</c>, HTTP 409). The blob is unchanged; the writer must move on to another blob.
/// </summary>
public sealed class AppendBlobFullException : Exception
{
    /// <summary>Creates the exception.</summary>
    public AppendBlobFullException() { }
    /// <summary>Creates the exception with a message that names the blob.</summary>
    public AppendBlobFullException(string message) : base(message) { }
    /// <summary>Creates the exception with a message and the storage failure that caused it.</summary>
    public AppendBlobFullException(string message, Exception innerException) : base(message, innerException) { }
}
