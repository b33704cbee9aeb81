using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using ServerlessRec.Http;

namespace ServerlessRec.Core.Tests.Http;

/// <summary>
/// The one authorisation check: with Entra, a caller reaches a route only if it is configured for the route's group
/// (listed id or app role); refusals are problem+json, a missing or unreadable principal is 401 and never a 500.
/// </summary>
public sealed class RouteAccessTests
{
    private const string ServingApp = "11111111-1111-1111-1111-111111111111";
    private const string PrivacyTool = "22222222-2222-2222-2222-222222222222";
    private const string OperationsPipeline = "33333333-3333-3333-3333-333333333333";

    public static TheoryData<string> PrivacyAndOperationsRoutes() =>
        new(RouteTable.Routes.Where(r => r.Group != RouteGroup.Serving).Select(r => r.Name));

    [Theory]
    [MemberData(nameof(PrivacyAndOperationsRoutes))]
    public async Task Authorize_ServingCallerOnPrivacyOrOperationsRoute_Returns403Problem(string routeName)
    {
        var response = await AuthorizeAsync(CreateSut(), routeName, Principal(("oid", ServingApp)));

        Assert.NotNull(response);
        Assert.Equal(403, response.Status);
        Assert.Equal(ApiProblems.ContentType, response.ContentType);
        using var problem = JsonDocument.Parse(response.Body);
        Assert.Contains(RouteAccess.RoleOf(Route(routeName).Group), problem.RootElement.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Recommendations")]
    [InlineData("PostEvents")]
    [InlineData("Health")]
    public async Task Authorize_ServingCallerOnServingRoute_Admits(string routeName)
    {
        var response = await AuthorizeAsync(CreateSut(), routeName, Principal(("oid", ServingApp)));

        Assert.Null(response);
    }

    [Theory]
    [InlineData("StartRetrain")]
    [InlineData("RetrainStatus")]
    public async Task Authorize_OperationsCallerOnRetrainRoute_Admits(string routeName)
    {
        var response = await AuthorizeAsync(CreateSut(), routeName, Principal(("appid", OperationsPipeline)));

        Assert.Null(response);
    }

    [Theory]
    [InlineData("ActivateModel")]
    [InlineData("Status")]
    public async Task Authorize_OperationsCallerOnModelRoute_Admits(string routeName)
    {
        var response = await AuthorizeAsync(CreateSut(), routeName, Principal(("appid", OperationsPipeline)));

        Assert.Null(response);
    }

    [Fact]
    public async Task Authorize_OperationsCallerOnPrivacyRoute_Returns403()
    {
        var response = await AuthorizeAsync(CreateSut(), "ForgetUser", Principal(("oid", OperationsPipeline)));

        Assert.Equal(403, response?.Status);
    }

    [Fact]
    public async Task Authorize_PrivacyCallerOnForget_Admits()
    {
        var response = await AuthorizeAsync(CreateSut(), "ForgetUser", Principal(("azp", PrivacyTool.ToUpperInvariant())));

        Assert.Null(response);
    }

    [Fact]
    public async Task Authorize_UnlistedCallerWithGroupAppRole_Admits()
    {
        var sut = CreateSut();
        var principal = Principal(("oid", "44444444-4444-4444-4444-444444444444"), ("roles", AccessOptions.OperationsRole));

        Assert.Null(await AuthorizeAsync(sut, "StartRetrain", principal));
        Assert.Equal(403, (await AuthorizeAsync(sut, "UserVector", principal))?.Status);
    }

    [Fact]
    public async Task Authorize_RoleUnderThePrincipalsRoleType_Admits()
    {
        var principal = Principal(
            [("http://schemas.microsoft.com/ws/2008/06/identity/claims/role", AccessOptions.PrivacyRole)],
            roleType: "http://schemas.microsoft.com/ws/2008/06/identity/claims/role");

        Assert.Null(await AuthorizeAsync(CreateSut(), "ExportUser", principal));
    }

    [Fact]
    public async Task Authorize_NoPrincipal_Returns401Problem()
    {
        var response = await AuthorizeAsync(CreateSut(), "Recommendations", principalHeader: null);

        Assert.Equal(401, response?.Status);
        Assert.Equal(ApiProblems.ContentType, response?.ContentType);
    }

    [Theory]
    [InlineData("not base64!")]
    [InlineData("bm90IGpzb24=")] // "not json"
    [InlineData("W10=")] // []
    [InlineData("eyJjbGFpbXMiOiJ4In0=")] // {"claims":"x"}
    [InlineData("eyJjbGFpbXMiOlt7InR5cCI6MSwidmFsIjoiMTExMTExMTEtMTExMS0xMTExLTExMTEtMTExMTExMTExMTExIn1dfQ==")] // typ not a string
    [InlineData("eyJhdXRoX3R5cCI6ImFhZCJ9")] // no claims
    [InlineData("/w==")] // one byte, not UTF-8 JSON
    public async Task Authorize_MalformedPrincipal_Returns401ProblemNot500(string header)
    {
        var response = await AuthorizeAsync(CreateSut(), "Recommendations", header);

        Assert.Equal(401, response?.Status);
        Assert.Equal(ApiProblems.ContentType, response?.ContentType);
    }

    [Fact]
    public async Task Authorize_OversizedPrincipal_Returns401()
    {
        var response = await AuthorizeAsync(CreateSut(), "Recommendations", new string('A', 100_000));

        Assert.Equal(401, response?.Status);
    }

    [Fact]
    public async Task Authorize_EntraWithoutAppServiceAuthentication_RefusesEvenAListedCaller()
    {
        // The header could come from anyone when the platform does not set (and strip) it.
        var sut = new RouteAccess(Options(), principalHeaderTrusted: false);

        var response = await AuthorizeAsync(sut, "Recommendations", Principal(("oid", ServingApp)));

        Assert.Equal(403, response?.Status);
        Assert.Equal(ApiProblems.ContentType, response?.ContentType);
    }

    [Fact]
    public async Task Authorize_FunctionKeysMode_LeavesTheCheckToTheHost()
    {
        var sut = new RouteAccess(new AccessOptions(), principalHeaderTrusted: false);

        Assert.Null(await AuthorizeAsync(sut, "ForgetUser", principalHeader: null));
        Assert.Null(await AuthorizeAsync(sut, "StartRetrain", "not base64!"));
    }

    [Fact]
    public void AccessOptions_Defaults_AreFunctionKeysWithNoCallers()
    {
        var options = new AccessOptions();

        Assert.Equal(AccessMode.FunctionKeys, options.Mode);
        Assert.Equal(string.Empty, options.ServingCallers);
        Assert.Equal(string.Empty, options.PrivacyCallers);
        Assert.Equal(string.Empty, options.OperationsCallers);
    }

    [Fact]
    public void FunctionsAuthorizationLevel_EveryGroup_IsFunctionNeverAdmin()
    {
        Assert.All(Enum.GetValues<RouteGroup>(), g => Assert.Equal("Function", RouteAccess.FunctionsAuthorizationLevel(g)));
    }

    private static AccessOptions Options() => new()
    {
        Mode = AccessMode.Entra,
        ServingCallers = ServingApp,
        PrivacyCallers = $" {PrivacyTool};{ServingApp.Replace('1', '5')} ",
        OperationsCallers = $"{OperationsPipeline}, 66666666-6666-6666-6666-666666666666",
    };

    private static RouteAccess CreateSut() => new(Options(), principalHeaderTrusted: true);

    private static ApiRoute Route(string name) => RouteTable.Routes.Single(r => r.Name == name);

    private static string Principal(params (string Type, string Value)[] claims) => Principal(claims, roleType: null);

    private static string Principal((string Type, string Value)[] claims, string? roleType)
    {
        var json = JsonSerializer.Serialize(new Dictionary<string, object?>
        {
            ["auth_typ"] = "aad",
            ["claims"] = claims.Select(c => new Dictionary<string, string> { ["typ"] = c.Type, ["val"] = c.Value }).ToArray(),
            ["name_typ"] = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress",
            ["role_typ"] = roleType ?? "http://schemas.microsoft.com/ws/2008/06/identity/claims/role",
        });
        return Convert.ToBase64String(Encoding.UTF8.GetBytes(json));
    }

    /// <summary>Runs the check; a refusal is executed into bytes as a host would send it.</summary>
    private static async Task<EndpointResponse?> AuthorizeAsync(RouteAccess sut, string routeName, string? principalHeader)
    {
        var context = new DefaultHttpContext { RequestServices = new ServiceCollection().AddLogging().BuildServiceProvider() };
        if (principalHeader is not null)
        {
            context.Request.Headers[RouteAccess.PrincipalHeader] = principalHeader;
        }

        var refusal = sut.Authorize(Route(routeName), context.Request);
        if (refusal is null)
        {
            return null;
        }

        using var body = new MemoryStream();
        context.Response.Body = body;
        await refusal.ExecuteAsync(context);
        return new EndpointResponse(context.Response.StatusCode, context.Response.ContentType, Encoding.UTF8.GetString(body.ToArray()));
    }
}
