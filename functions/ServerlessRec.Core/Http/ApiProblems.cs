using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using ServerlessRec.Events;
using ServerlessRec.Serving;
using ServerlessRec.Storage;

namespace ServerlessRec.Http;

/// <summary>
/// The one place that turns failures into problem+json answers (RFC 9457): validation → 400 naming the field,
/// unknown things → 404, a wrong method → 405, too-large bodies → 413, too-long URLs → 414, bodies not declared as
/// JSON → 415, conflicts → 409, no live model → 503, anything else → 500 with a generic message. Details come from our
/// own messages; stack traces and type names never leave.
/// </summary>
public static partial class ApiProblems
{
    /// <summary>The media type of every error body.</summary>
    public const string ContentType = "application/problem+json";

    /// <summary>The detail of every 500: what happened is in the log, never in the answer.</summary>
    public const string InternalErrorDetail = "the request failed on the server; it was logged";

    /// <summary>The detail of a 404 for a path no route matches.</summary>
    public const string NoRouteDetail = "there is no route at this path; the API's routes are listed in the README";

    /// <summary>Builds a problem result.</summary>
    public static IResult Create(int status, string title, string detail, string? field = null, bool? eventsLogged = null) =>
        Results.Json(
            new ApiProblem { Type = TypeOf(status), Title = title, Status = status, Detail = detail, Field = field, EventsLogged = eventsLogged },
            ApiJsonContext.Default.ApiProblem,
            ContentType,
            status);

    /// <summary>Builds the problem result of a status the host answers itself (no route, wrong method, URL too long, …), with its standard title.</summary>
    public static IResult ForStatus(int status, string detail) => Create(status, TitleOf(status), detail);

    /// <summary>Runs a handler and turns any failure but cancellation into its problem result.</summary>
    public static async Task<IResult> HandleAsync(Func<Task<IResult>> handle, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(handle);
        try
        {
            return await handle().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return FromException(ex, logger);
        }
    }

    /// <summary>Maps an exception thrown while serving a request to its problem result.</summary>
    public static IResult FromException(Exception exception, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(exception);
        ArgumentNullException.ThrowIfNull(logger);
        switch (exception)
        {
            case RequestValidationException e:
                return Create(StatusCodes.Status400BadRequest, "The request is not valid.", e.Message, e.Field);
            case InvalidTimestampException e:
                var timestampField = FieldOf(e) ?? "timestamp";
                return Create(StatusCodes.Status400BadRequest, "The request is not valid.", $"{timestampField} {e.Message}", timestampField);
            case JsonException e:
                return Create(StatusCodes.Status400BadRequest, "The request body is not valid JSON for this route.", DescribeJsonError(e), FieldOf(e));
            case NotFoundException e:
                return Create(StatusCodes.Status404NotFound, "Not found.", e.Message, e.Field);
            case BadHttpRequestException e:
                return Create(e.StatusCode, TitleOf(e.StatusCode), e.Message);
            case ModelUnavailableException e:
                return Create(StatusCodes.Status503ServiceUnavailable, "No model is available.", e.Message);
            case Pipeline.ModelActivationRefusedException e:
                return Create(StatusCodes.Status409Conflict, "The model version cannot be activated.", e.Message, "version");
            case BlobConditionFailedException:
                return Create(StatusCodes.Status409Conflict, "Too many concurrent writes.", "the resource kept changing during the request; retry it");
            default:
                LogUnhandled(logger, exception.GetType().Name, exception);
                return ForStatus(StatusCodes.Status500InternalServerError, InternalErrorDetail);
        }
    }

    private static string? FieldOf(JsonException e)
    {
        // System.Text.Json reports "$.recentEvents[0].timestamp"; the field is that path without "$.".
        var path = e.Path;
        if (string.IsNullOrEmpty(path) || path == "$")
        {
            return null;
        }

        return path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : path.TrimStart('$');
    }

    private static string DescribeJsonError(JsonException e)
    {
        var field = FieldOf(e);
        var where = e.LineNumber is { } line ? $" (line {line + 1}, byte {e.BytePositionInLine + 1})" : string.Empty;
        return field is null
            ? $"the body is malformed JSON or not a JSON object{where}"
            : $"{field} is malformed or has the wrong type{where}";
    }

    private static string TitleOf(int status) => status switch
    {
        401 => "Unauthorized.",
        403 => "Forbidden.",
        404 => "Not found.",
        405 => "Method not allowed.",
        409 => "Conflict.",
        413 => "The request body is too large.",
        414 => "The URL is too long.",
        415 => "Unsupported media type.",
        503 => "Service unavailable.",
        >= 500 => "Internal error.",
        _ => "The request is not valid.",
    };

    private static string TypeOf(int status) => status switch
    {
        400 => "https://www.rfc-editor.org/rfc/rfc9110#section-15.5.1",
        401 => "https://www.rfc-editor.org/rfc/rfc9110#section-15.5.2",
        403 => "https://www.rfc-editor.org/rfc/rfc9110#section-15.5.4",
        404 => "https://www.rfc-editor.org/rfc/rfc9110#section-15.5.5",
        405 => "https://www.rfc-editor.org/rfc/rfc9110#section-15.5.6",
        409 => "https://www.rfc-editor.org/rfc/rfc9110#section-15.5.10",
        413 => "https://www.rfc-editor.org/rfc/rfc9110#section-15.5.14",
        414 => "https://www.rfc-editor.org/rfc/rfc9110#section-15.5.15",
        415 => "https://www.rfc-editor.org/rfc/rfc9110#section-15.5.16",
        422 => "https://www.rfc-editor.org/rfc/rfc9110#section-15.5.21",
        503 => "https://www.rfc-editor.org/rfc/rfc9110#section-15.6.4",
        _ => "https://www.rfc-editor.org/rfc/rfc9110#section-15.6.1",
    };

    [LoggerMessage(EventId = 1001, Level = LogLevel.Error, Message = "Request failed with an unexpected {ExceptionType}")]
    private static partial void LogUnhandled(ILogger logger, string exceptionType, Exception exception);
}
