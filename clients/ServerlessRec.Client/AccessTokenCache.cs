using Azure.Core;
using Microsoft.Extensions.Options;

namespace ServerlessRec.Client;

/// <summary>
/// Holds the current Entra ID access token of the client's <see cref="ServerlessRecClientOptions.Credential"/> and gets a
/// new one shortly before it expires (or when the credential says to refresh), one caller at a time. A singleton: the
/// message handlers the factory recycles share it.
/// </summary>
internal sealed class AccessTokenCache : IDisposable
{
    // Refreshed this long before it expires, so a token never runs out during a call and its retries.
    private static readonly TimeSpan RefreshMargin = TimeSpan.FromMinutes(5);

    private readonly IOptionsMonitor<ServerlessRecClientOptions> _options;
    private readonly TimeProvider _time;
    private readonly SemaphoreSlim _refresh = new(1, 1);
    private AccessToken? _token;

    public AccessTokenCache(IOptionsMonitor<ServerlessRecClientOptions> options, TimeProvider time)
    {
        _options = options;
        _time = time;
    }

    /// <summary>Returns a valid token, or <see langword="null"/> when no credential is configured.</summary>
    public async ValueTask<string?> GetAsync(CancellationToken cancellationToken)
    {
        var options = _options.CurrentValue;
        if (options.Credential is not { } credential)
        {
            return null;
        }

        if (_token is { } current && IsFresh(current))
        {
            return current.Token;
        }

        await _refresh.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_token is { } other && IsFresh(other))
            {
                return other.Token;
            }

            var token = await credential.GetTokenAsync(new TokenRequestContext([options.Scope!]), cancellationToken).ConfigureAwait(false);
            _token = token;
            return token.Token;
        }
        finally
        {
            _refresh.Release();
        }
    }

    public void Dispose() => _refresh.Dispose();

    private bool IsFresh(AccessToken token)
    {
        var now = _time.GetUtcNow();
        return now < token.ExpiresOn - RefreshMargin && (token.RefreshOn is not { } refreshOn || now < refreshOn);
    }
}
