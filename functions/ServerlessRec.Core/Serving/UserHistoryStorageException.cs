namespace ServerlessRec.Serving;

/// <summary>A user history could not be read, written or deleted; the message names the user by hash only.</summary>
public sealed class UserHistoryStorageException : IOException
{
    /// <summary>Creates the exception.</summary>
    public UserHistoryStorageException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public UserHistoryStorageException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and its cause.</summary>
    public UserHistoryStorageException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
