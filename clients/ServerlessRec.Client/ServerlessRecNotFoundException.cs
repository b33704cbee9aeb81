namespace ServerlessRec.Client;

/// <summary>404: an unknown item, user, run or model version (<see cref="ServerlessRecException.Field"/> says which), or no such route.</summary>
public sealed class ServerlessRecNotFoundException : ServerlessRecException
{
    /// <summary>Creates the exception of one error answer.</summary>
    public ServerlessRecNotFoundException(ServerlessRecProblem problem) : base(problem)
    {
    }
}
