namespace ServerlessRec.Client;

/// <summary>
/// 429, 503 or a gateway error once the client's retries are spent: no model is live yet, no retraining engine, throttled,
/// or storage unavailable. For an event post, <see cref="ServerlessRecProblem.EventsLogged"/> tells whether the events
/// are in the log all the same.
/// </summary>
public sealed class ServerlessRecUnavailableException : ServerlessRecException
{
    /// <summary>Creates the exception of one error answer.</summary>
    public ServerlessRecUnavailableException(ServerlessRecProblem problem) : base(problem)
    {
    }
}
