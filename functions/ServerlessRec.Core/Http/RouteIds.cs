using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using ServerlessRec.Serving;

namespace ServerlessRec.Http;

/// <summary>
/// The one rule for user and item ids in requests. Clients encode an id once (<c>encodeURIComponent</c>) and the server
/// decodes it exactly once, wherever it travels:
/// <list type="bullet">
/// <item>in the query string (<c>?userId=</c>, <c>?itemId=</c>; every id route has this form): decoded once by the host, so any id works on both hosts;</item>
/// <item>in a path segment (<c>users/{userId}/vector</c>): decoded once from the raw request target. ASP.NET Core routing alone
/// cannot do it: it leaves <c>%2F</c> encoded but has already decoded <c>%25</c>, so <c>a%2Fb</c> and <c>a%252Fb</c> reach the
/// route alike. Without a raw target the route value is used with <c>%2F</c> turned back into <c>/</c>.</item>
/// </list>
/// Proxies in front of a Functions app may decode or refuse <c>%2F</c> in paths before any code runs, so ids that can
/// contain <c>/</c> or <c>%</c> belong in the query string there.
/// </summary>
public static class RouteIds
{
    /// <summary>Returns the id in the path segment that <paramref name="template"/> names <c>{name}</c>, decoded exactly once.</summary>
    /// <param name="request">The request.</param>
    /// <param name="template">The route template below <see cref="RouteTable.Prefix"/>, e.g. <c>users/{userId}/vector</c>.</param>
    /// <param name="name">The route value's name.</param>
    /// <param name="routeValue">The host's route value (the Functions binding); by default read from <see cref="HttpRequest.RouteValues"/>.</param>
    public static string FromPath(HttpRequest request, string template, string name, string? routeValue = null)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(template);
        routeValue ??= request.RouteValues.TryGetValue(name, out var value) ? Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture) ?? string.Empty : string.Empty;
        var raw = RawPath(request);
        var path = request.Path.Value;
        if (raw is not null && path is not null)
        {
            // The template is the end of the path (below the prefix and any path base): align the segments from the end.
            var rawSegments = raw.TrimEnd('/').Split('/');
            var pathSegments = path.TrimEnd('/').Split('/');
            var templateSegments = template.Split('/');
            var fromEnd = templateSegments.Length - Array.IndexOf(templateSegments, "{" + name + "}");
            if (fromEnd <= templateSegments.Length && rawSegments.Length == pathSegments.Length && rawSegments.Length >= fromEnd)
            {
                return Uri.UnescapeDataString(rawSegments[^fromEnd]);
            }
        }

        return routeValue.Replace("%2F", "/", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>Returns the id given once in the query string under <paramref name="name"/>.</summary>
    /// <exception cref="RequestValidationException">The parameter is missing, empty or repeated.</exception>
    public static string FromQuery(HttpRequest request, string name)
    {
        ArgumentNullException.ThrowIfNull(request);
        var values = request.Query[name];
        return values.Count switch
        {
            0 => throw new RequestValidationException(name, $"{name} is required in the query string (?{name}=…, encoded with encodeURIComponent)"),
            1 => RequestRules.Id(values[0], name),
            _ => throw new RequestValidationException(name, $"{name} must be given once, not {values.Count} times"),
        };
    }

    private static string? RawPath(HttpRequest request)
    {
        var raw = request.HttpContext.Features.Get<IHttpRequestFeature>()?.RawTarget;
        if (string.IsNullOrEmpty(raw) || raw[0] != '/')
        {
            return null;
        }

        var query = raw.IndexOf('?', StringComparison.Ordinal);
        return query < 0 ? raw : raw[..query];
    }
}
