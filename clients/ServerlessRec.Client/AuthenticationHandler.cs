using System.Net.Http.Headers;
using Microsoft.Extensions.Options;

namespace ServerlessRec.Client;

/// <summary>
/// Adds the credentials of each attempt: the function key of the route's group (<c>x-functions-key</c>) and, with a
/// credential configured, an Entra ID bearer token. It runs inside the retry, so a retry after a token expired gets a
/// fresh one.
/// </summary>
internal sealed class AuthenticationHandler : DelegatingHandler
{
    private readonly IOptionsMonitor<ServerlessRecClientOptions> _options;
    private readonly AccessTokenCache _tokens;

    public AuthenticationHandler(IOptionsMonitor<ServerlessRecClientOptions> options, AccessTokenCache tokens)
    {
        _options = options;
        _tokens = tokens;
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var group = request.Options.TryGetValue(RequestPolicy.Key, out var policy) ? policy.Group : ApiGroup.Serving;
        request.Headers.Remove(ServerlessRecClientOptions.FunctionKeyHeader);
        if (_options.CurrentValue.KeyFor(group) is { Length: > 0 } key)
        {
            request.Headers.TryAddWithoutValidation(ServerlessRecClientOptions.FunctionKeyHeader, key);
        }

        if (await _tokens.GetAsync(cancellationToken).ConfigureAwait(false) is { } token)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
    }
}
