namespace ServerlessRec.Client;

/// <summary>
/// 401 or 403: the function key is missing or wrong for this route's group, or the Entra ID token is missing, invalid or
/// belongs to a caller not admitted to the group. A configuration problem: retrying does not help.
/// </summary>
public sealed class ServerlessRecUnauthorizedException : ServerlessRecException
{
    /// <summary>Creates the exception of one error answer.</summary>
    public ServerlessRecUnauthorizedException(ServerlessRecProblem problem) : base(problem)
    {
    }
}
