namespace ServerlessRec.Client;

/// <summary>
/// 400, 413, 414, 415 or 422: the request is not valid and nothing was stored. <see cref="ServerlessRecException.Field"/>
/// names the field at fault (<c>k</c>, <c>events[0].type</c>, <c>items[3].categories[0]</c>, <c>Idempotency-Key</c>, …).
/// Fix the request; repeating it changes nothing.
/// </summary>
public sealed class ServerlessRecValidationException : ServerlessRecException
{
    /// <summary>Creates the exception of one error answer.</summary>
    public ServerlessRecValidationException(ServerlessRecProblem problem) : base(problem)
    {
    }
}
