namespace ServerlessRec.Serving;

/// <summary>An item or user the request names does not exist; mapped to a 404.</summary>
public sealed class NotFoundException(string field, string message) : Exception(message)
{
    /// <summary>Gets the field that names the missing thing.</summary>
    public string Field { get; } = field;
}
