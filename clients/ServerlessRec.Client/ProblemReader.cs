using System.Net;
using System.Text.Json;

namespace ServerlessRec.Client;

/// <summary>Turns an error answer into its typed <see cref="ServerlessRecException"/>.</summary>
internal static class ProblemReader
{
    // Enough of a non-problem body (a proxy's HTML page, the Functions host's text) to say what it was.
    private const int MaxPlainDetailChars = 512;

    public static async Task<ServerlessRecException> ReadAsync(HttpResponseMessage response, string? idempotencyKey, CancellationToken cancellationToken)
    {
        var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        var problem = Parse(text, response.Content.Headers.ContentType?.MediaType) ?? new ServerlessRecProblem
        {
            Title = response.ReasonPhrase,
            Detail = text.Length <= MaxPlainDetailChars ? text : text[..MaxPlainDetailChars] + "…",
        };

        // The status line is the truth: a body's "status" may be missing or (from a proxy) stale.
        problem = problem with
        {
            Status = (int)response.StatusCode,
            Request = response.RequestMessage is { } request ? $"{request.Method} {request.RequestUri?.AbsolutePath}" : null,
            IdempotencyKey = idempotencyKey,
        };

        return response.StatusCode switch
        {
            HttpStatusCode.BadRequest or HttpStatusCode.RequestEntityTooLarge or HttpStatusCode.RequestUriTooLong
                or HttpStatusCode.UnsupportedMediaType or HttpStatusCode.UnprocessableEntity => new ServerlessRecValidationException(problem),
            HttpStatusCode.NotFound => new ServerlessRecNotFoundException(problem),
            HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden => new ServerlessRecUnauthorizedException(problem),
            HttpStatusCode.Conflict => new ServerlessRecConflictException(problem),
            HttpStatusCode.TooManyRequests or HttpStatusCode.ServiceUnavailable or HttpStatusCode.BadGateway
                or HttpStatusCode.GatewayTimeout or HttpStatusCode.RequestTimeout => new ServerlessRecUnavailableException(problem),
            _ => new ServerlessRecException(problem),
        };
    }

    private static ServerlessRecProblem? Parse(string text, string? mediaType)
    {
        if (text.Length == 0 || mediaType is null || !(mediaType.EndsWith("/json", StringComparison.OrdinalIgnoreCase) || mediaType.EndsWith("+json", StringComparison.OrdinalIgnoreCase)))
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize(text, ClientJsonContext.Default.ServerlessRecProblem);
        }
        catch (JsonException)
        {
            // Declared JSON but not a problem object: reported as plain text.
            return null;
        }
    }
}
