namespace ServerlessRec.Pipeline;

/// <summary>A kept version cannot be made live: an artefact fails its hash, or its index is missing or incomplete. The message names what failed.</summary>
public sealed class ModelActivationRefusedException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ModelActivationRefusedException(string version, string message) : base(message) => Version = version;

    /// <summary>Gets the version refused.</summary>
    public string Version { get; } = string.Empty;
}
