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
