namespace ServerlessRec.Client;

/// <summary>
/// 409 once the client's retries are spent (or for a request it does not retry): a retraining is already running, a
/// model version cannot be activated (the detail names the file or index), or the resource kept changing. For an event
/// post, <see cref="ServerlessRecProblem.EventsLogged"/> tells whether the events are in the log all the same.
/// </summary>
public sealed class ServerlessRecConflictException : ServerlessRecException
{
    /// <summary>Creates the exception of one error answer.</summary>
    public ServerlessRecConflictException(ServerlessRecProblem problem) : base(problem)
    {
    }
}
