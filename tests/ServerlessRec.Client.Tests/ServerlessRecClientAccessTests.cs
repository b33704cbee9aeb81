using System.Net;
using ServerlessRec.Http;

namespace ServerlessRec.Client.Tests;

/// <summary>
/// The client's credentials on the wire, checked by the platform in front of the real <c>serve</c> host as Azure checks
/// them: the function key of each route's group, and an Entra ID bearer token that the app's own
/// <see cref="RouteAccess"/> admits per group.
/// </summary>
public sealed class ServerlessRecClientAccessTests : IAsyncLifetime
{
    private const string Scope = "api://serverlessrec-test/.default";

    private static readonly Dictionary<RouteGroup, string> Keys = new()
    {
        [RouteGroup.Serving] = "serving-key",
        [RouteGroup.Privacy] = "privacy-key",
        [RouteGroup.Operations] = "operations-key",
    };

    private readonly ServeHost _host = new();

    public Task InitializeAsync() => _host.InitializeAsync();

    public Task DisposeAsync() => _host.DisposeAsync();

    [Fact]
    public async Task Calls_KeyPerGroup_EachGroupGetsItsOwnKey()
    {
        _host.Platform.RequireFunctionKeys(Keys);
        var client = _host.CreateClient(o => (o.ServingKey, o.PrivacyKey, o.OperationsKey) = ("serving-key", "privacy-key", "operations-key"));

        await client.RecommendAsync(new RecommendationRequest { UserId = "u1" });
        await client.ExportUserAsync("u1");
        await client.GetStatusAsync();

        Assert.Equal(
            new[] { "serving-key", "privacy-key", "operations-key" },
            _host.Attempts.Select(a => a.FunctionKey));
    }

    [Fact]
    public async Task Calls_ServingKeyOnly_PrivacyRouteThrowsUnauthorizedWithoutRetry()
    {
        _host.Platform.RequireFunctionKeys(Keys);
        var client = _host.CreateClient(o => o.FunctionKey = "serving-key");

        var recommended = await client.RecommendAsync(new RecommendationRequest { UserId = "u1", K = 2 });
        var error = await Assert.ThrowsAsync<ServerlessRecUnauthorizedException>(() => client.ExportUserAsync("u1"));

        Assert.Equal(2, recommended.Items.Count);
        Assert.Equal(HttpStatusCode.Unauthorized, error.Status);
        Assert.Contains("GET /api/users/export", error.Message, StringComparison.Ordinal);
        Assert.Single(_host.AttemptsAt("GET", "/api/users/export"));
    }

    [Fact]
    public async Task Calls_WrongKey_ThrowUnauthorized()
    {
        _host.Platform.RequireFunctionKeys(Keys);
        var client = _host.CreateClient(o => o.ServingKey = "stolen-guess");

        var error = await Assert.ThrowsAsync<ServerlessRecUnauthorizedException>(() => client.PostEventsAsync([new UserEvent { UserId = "u1", ItemId = "i1", Type = "view" }]));

        Assert.Equal(HttpStatusCode.Unauthorized, error.Status);
        Assert.Equal(0, await _host.LoggedEventsAsync("u1"));
    }

    [Fact]
    public async Task Calls_EntraCredential_TokenForTheScopeReachesTheHostAndRouteAccessAdmitsItsGroupOnly()
    {
        _host.Platform.RequireEntra(
            new Dictionary<string, string> { ["token-of-the-web-app"] = "web-app-oid" },
            new AccessOptions { Mode = AccessMode.Entra, ServingCallers = "web-app-oid", PrivacyCallers = "support-tool-oid" });
        var credential = new FakeTokenCredential("token-of-the-web-app");
        var client = _host.CreateClient(o => (o.Credential, o.Scope) = (credential, Scope));

        var recommended = await client.RecommendAsync(new RecommendationRequest { UserId = "u1", K = 2 });
        var health = await client.GetHealthAsync();
        var error = await Assert.ThrowsAsync<ServerlessRecUnauthorizedException>(() => client.ExportUserAsync("u1"));

        Assert.Equal(2, recommended.Items.Count);
        Assert.Equal("ok", health.Status);
        Assert.All(_host.Attempts, a => Assert.Equal("Bearer token-of-the-web-app", a.Authorization));
        Assert.Equal(new[] { Scope }, credential.LastScopes);
        Assert.Equal(1, credential.Requests);
        // The app's own 403 problem: the route's group and what would admit the caller.
        Assert.Equal(HttpStatusCode.Forbidden, error.Status);
        Assert.Contains("privacy group", error.Detail, StringComparison.Ordinal);
        Assert.Contains(AccessOptions.PrivacyRole, error.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Calls_EntraAndKey_BothAreSent()
    {
        _host.Platform.RequireFunctionKeys(Keys);
        _host.Platform.RequireEntra(
            new Dictionary<string, string> { ["ops-token"] = "pipeline-oid" },
            new AccessOptions { Mode = AccessMode.Entra, OperationsCallers = "pipeline-oid" });
        var client = _host.CreateClient(o => (o.OperationsKey, o.Credential, o.Scope) = ("operations-key", new FakeTokenCredential("ops-token"), Scope));

        var status = await client.GetStatusAsync();

        Assert.Equal("v2", status.Live!.Version);
        var attempt = Assert.Single(_host.Attempts);
        Assert.Equal(("operations-key", "Bearer ops-token"), (attempt.FunctionKey, attempt.Authorization));
    }

    [Fact]
    public async Task Calls_NoToken_ThrowUnauthorized()
    {
        _host.Platform.RequireEntra(new Dictionary<string, string> { ["t"] = "oid" }, new AccessOptions { Mode = AccessMode.Entra, ServingCallers = "oid" });
        var client = _host.CreateClient();

        var error = await Assert.ThrowsAsync<ServerlessRecUnauthorizedException>(() => client.GetHealthAsync());

        Assert.Equal(HttpStatusCode.Unauthorized, error.Status);
    }
}
