namespace ServerlessRec.Storage;

/// <summary>A conditional write or delete found the blob in another state than required (HTTP 409/412).</summary>
public sealed class BlobConditionFailedException : Exception
{
    /// <summary>Creates the exception.</summary>
    public BlobConditionFailedException() { }
    /// <summary>Creates the exception with a message that names the blob and the condition.</summary>
    public BlobConditionFailedException(string message) : base(message) { }
    /// <summary>Creates the exception with a message and the storage failure that caused it.</summary>
    public BlobConditionFailedException(string message, Exception innerException) : base(message, innerException) { }
}
