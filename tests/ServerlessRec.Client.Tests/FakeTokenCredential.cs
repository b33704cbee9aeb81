using Azure.Core;

namespace ServerlessRec.Client.Tests;

/// <summary>A credential that hands out one fixed token, valid for an hour, and counts what it was asked for.</summary>
public sealed class FakeTokenCredential(string token) : TokenCredential
{
    private int _requests;

    public int Requests => _requests;

    public IReadOnlyList<string> LastScopes { get; private set; } = [];

    public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _requests);
        LastScopes = requestContext.Scopes;
        return new AccessToken(token, DateTimeOffset.UtcNow.AddHours(1));
    }

    public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
        ValueTask.FromResult(GetToken(requestContext, cancellationToken));
}
