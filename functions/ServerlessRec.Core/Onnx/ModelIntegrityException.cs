namespace ServerlessRec.Onnx;

/// <summary>A model artefact is missing, truncated, tampered with, or the export does not match the trainer.</summary>
public sealed class ModelIntegrityException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ModelIntegrityException() { }

    /// <summary>Creates the exception with a message that names the artefact and what is wrong with it.</summary>
    public ModelIntegrityException(string message) : base(message) { }

    /// <summary>Creates the exception with a message and the failure that caused it.</summary>
    public ModelIntegrityException(string message, Exception innerException) : base(message, innerException) { }
}
