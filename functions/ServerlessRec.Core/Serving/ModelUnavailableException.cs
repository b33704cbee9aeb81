namespace ServerlessRec.Serving;

/// <summary>The live model is missing or cannot be served; mapped to a 503.</summary>
public sealed class ModelUnavailableException(string message) : Exception(message);
