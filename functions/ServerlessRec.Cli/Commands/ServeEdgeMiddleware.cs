using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;
using ServerlessRec.Http;

namespace ServerlessRec.Cli.Commands;

/// <summary>
/// The edge of <c>serve</c>, in front of routing: refuses Host names it was not bound to (DNS rebinding), refuses URLs
/// longer than <see cref="MaxUrlBytes"/> with a 414, and turns everything the handlers do not answer themselves (no
/// route, wrong method, an exception) into the API's problem+json, so every error has one shape.
/// </summary>
internal sealed partial class ServeEdgeMiddleware(RequestDelegate next, ServeEdgeMiddleware.HostPolicy hosts, ILogger<ServeEdgeMiddleware> logger)
{
    /// <summary>The longest request target (path and query, as sent) <c>serve</c> answers: 8 KiB.</summary>
    public const int MaxUrlBytes = 8 * 1024;

    /// <summary>
    /// Kestrel's own request-line limit, above <see cref="MaxUrlBytes"/>: Kestrel answers a longer line itself with an
    /// empty 414 before any middleware runs, so the margin lets this middleware answer the usual too-long URLs.
    /// </summary>
    public const int MaxRequestLineBytes = 2 * MaxUrlBytes;

    public async Task InvokeAsync(HttpContext context)
    {
        try
        {
            if (!hosts.Allows(context.Request.Host))
            {
                LogHostRefused(logger, Shorten(context.Request.Host.Value ?? string.Empty));
                await WriteAsync(context, StatusCodes.Status400BadRequest, "the Host header names a host serve is not bound to; use localhost, 127.0.0.1 or [::1] (or the host of --urls)").ConfigureAwait(false);
                return;
            }

            var target = context.Features.Get<IHttpRequestFeature>()?.RawTarget ?? string.Empty;
            if (target.Length > MaxUrlBytes)
            {
                await WriteAsync(context, StatusCodes.Status414UriTooLong, $"the URL is {target.Length:N0} bytes long; the limit is {MaxUrlBytes / 1024} KiB").ConfigureAwait(false);
                return;
            }

            await next(context).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException && !context.Response.HasStarted)
        {
            // Handlers map their own failures; this is what escapes them (services, result execution, routing).
            context.Response.Clear();
            await ApiProblems.FromException(ex, logger).ExecuteAsync(context).ConfigureAwait(false);
            return;
        }

        // No route, a wrong method (routing's 405 has already set Allow) or any other bodiless error: same shape.
        var response = context.Response;
        if (response.StatusCode >= 400 && !response.HasStarted && response.ContentType is null && response.ContentLength is null)
        {
            var detail = response.StatusCode switch
            {
                StatusCodes.Status404NotFound => ApiProblems.NoRouteDetail,
                StatusCodes.Status405MethodNotAllowed => $"{Shorten(context.Request.Method)} is not allowed on this route; allowed: {response.Headers.Allow}",
                _ => "the request was refused",
            };
            await WriteAsync(context, response.StatusCode, detail).ConfigureAwait(false);
        }
    }

    private static Task WriteAsync(HttpContext context, int status, string detail) => ApiProblems.ForStatus(status, detail).ExecuteAsync(context);

    private static string Shorten(string value) => value.Length <= 60 ? value : value[..60] + "…";

    [LoggerMessage(EventId = 5001, Level = LogLevel.Warning, Message = "Refused a request for Host {Host}: serve is not bound to it (DNS rebinding?)")]
    private static partial void LogHostRefused(ILogger logger, string host);

    /// <summary>
    /// Which Host header values <c>serve</c> answers. Bound to loopback, a page on any site could still reach it through
    /// DNS rebinding (its own name resolving to 127.0.0.1), and such a request carries that site's name as Host; only
    /// the loopback names are accepted then. A bound non-loopback host name or address is accepted too; a wildcard
    /// binding (<c>0.0.0.0</c>, <c>[::]</c>, <c>*</c>, <c>+</c>) accepts any host, as the non-loopback warning says.
    /// </summary>
    internal sealed class HostPolicy
    {
        private static readonly string[] LoopbackNames = ["localhost", "127.0.0.1", "[::1]"];
        private readonly HashSet<string> _hosts = new(StringComparer.OrdinalIgnoreCase);
        private readonly bool _any;

        /// <summary>Builds the policy of the URLs <c>serve</c> listens on (<c>;</c>-separated, as <c>--urls</c>).</summary>
        public HostPolicy(string urls)
        {
            ArgumentNullException.ThrowIfNull(urls);
            foreach (var url in urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                var host = HostOf(url);
                if (host is "0.0.0.0" or "[::]" or "*" or "+")
                {
                    _any = true;
                }
                else if (LoopbackNames.Contains(host, StringComparer.OrdinalIgnoreCase) || host.StartsWith("127.", StringComparison.Ordinal))
                {
                    _hosts.UnionWith(LoopbackNames);
                }
                else
                {
                    _hosts.Add(host);
                }
            }
        }

        /// <summary>Whether a request with this Host header (any port) is answered.</summary>
        public bool Allows(HostString host) => _any || (host.HasValue && _hosts.Contains(host.Host));

        private static string HostOf(string url)
        {
            var scheme = url.IndexOf("://", StringComparison.Ordinal);
            var authority = scheme < 0 ? url : url[(scheme + 3)..];
            var slash = authority.IndexOf('/', StringComparison.Ordinal);
            authority = slash < 0 ? authority : authority[..slash];
            if (authority.StartsWith('['))
            {
                var close = authority.IndexOf(']', StringComparison.Ordinal);
                return close < 0 ? authority : authority[..(close + 1)];
            }

            var colon = authority.LastIndexOf(':');
            return colon < 0 ? authority : authority[..colon];
        }
    }
}
