using System.Net;

namespace ServerlessRec.Client;

/// <summary>
/// An error answer of the ServerlessRec API, read from its <c>application/problem+json</c> body (RFC 9457) when it has
/// one. Catch a derived type to handle one kind of failure: <see cref="ServerlessRecValidationException"/>,
/// <see cref="ServerlessRecNotFoundException"/>, <see cref="ServerlessRecUnauthorizedException"/>,
/// <see cref="ServerlessRecConflictException"/>, <see cref="ServerlessRecUnavailableException"/>.
/// </summary>
public class ServerlessRecException : Exception
{
    /// <summary>Creates an exception with a message only.</summary>
    public ServerlessRecException()
    {
    }

    /// <summary>Creates an exception with a message only.</summary>
    public ServerlessRecException(string message) : base(message)
    {
    }

    /// <summary>Creates an exception with a message and the exception that caused it.</summary>
    public ServerlessRecException(string message, Exception innerException) : base(message, innerException)
    {
    }

    /// <summary>Creates the exception of one error answer.</summary>
    /// <param name="problem">What the answer said.</param>
    public ServerlessRecException(ServerlessRecProblem problem) : base(problem?.ToString())
    {
        ArgumentNullException.ThrowIfNull(problem);
        Problem = problem;
    }

    /// <summary>Gets what the answer said (status, title, detail, field, …); <see langword="null"/> only for exceptions built by hand.</summary>
    public ServerlessRecProblem? Problem { get; }

    /// <summary>Gets the HTTP status of the answer (0 for exceptions built by hand).</summary>
    public HttpStatusCode Status => (HttpStatusCode)(Problem?.Status ?? 0);

    /// <summary>Gets the problem's title (a short summary of the kind of error).</summary>
    public string? Title => Problem?.Title;

    /// <summary>Gets the problem's detail (what exactly was wrong, in plain words).</summary>
    public string? Detail => Problem?.Detail;

    /// <summary>Gets the problem's type URI.</summary>
    public string? Type => Problem?.Type;

    /// <summary>Gets the request field at fault (a JSON path such as <c>events[3].timestamp</c>, or a header or query name), when the server named one.</summary>
    public string? Field => Problem?.Field;
}

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

/// <summary>404: an unknown item, user, run or model version (<see cref="ServerlessRecException.Field"/> says which), or no such route.</summary>
public sealed class ServerlessRecNotFoundException : ServerlessRecException
{
    /// <summary>Creates the exception of one error answer.</summary>
    public ServerlessRecNotFoundException(ServerlessRecProblem problem) : base(problem)
    {
    }
}

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
