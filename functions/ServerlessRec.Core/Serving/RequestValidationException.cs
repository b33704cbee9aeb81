namespace ServerlessRec.Serving;

/// <summary>A request that cannot be served as sent; mapped to a 400 problem+json naming <see cref="Field"/>.</summary>
public sealed class RequestValidationException(string field, string message) : Exception(message)
{
    /// <summary>Gets the JSON path of the offending field.</summary>
    public string Field { get; } = field;
}
