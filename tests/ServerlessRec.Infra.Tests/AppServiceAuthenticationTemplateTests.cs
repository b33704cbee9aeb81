using System.Text.Json;
using ServerlessRec.Infra.Tests.Arm;

namespace ServerlessRec.Infra.Tests;

/// <summary>
/// With an app registration for the API, App Service authentication (authsettingsV2) requires an Entra ID token on
/// every request and answers 401 without one; the app then authorises the caller per route group.
/// </summary>
[Collection(CompiledInfrastructureDefinition.Name)]
public sealed class AppServiceAuthenticationTemplateTests(CompiledInfrastructure infrastructure)
{
    private ArmResource AuthSettings => Assert.Single(
        infrastructure.Template.OfType("Microsoft.Web/sites/config"),
        c => c.Name.Contains("'authsettingsV2'", StringComparison.Ordinal));

    [Fact]
    public void AuthSettings_Deployed_ExactlyWhenTheApiHasAnAppRegistration()
    {
        Assert.Equal("[not(empty(parameters('authClientId')))]", AuthSettings.ResolveCondition());
        Assert.Equal("2024-04-01", AuthSettings.Find("apiVersion")?.GetString());
    }

    [Fact]
    public void AuthSettings_Unauthenticated_AreRefusedWith401()
    {
        Assert.Equal(JsonValueKind.True, AuthSettings.Find("properties.platform.enabled")?.ValueKind);
        Assert.Equal(JsonValueKind.True, AuthSettings.Find("properties.globalValidation.requireAuthentication")?.ValueKind);
        Assert.Equal("Return401", AuthSettings.Find("properties.globalValidation.unauthenticatedClientAction")?.GetString());
        Assert.Equal(JsonValueKind.True, AuthSettings.Find("properties.httpSettings.requireHttps")?.ValueKind);
    }

    [Fact]
    public void AuthSettings_Provider_IsEntraIdOfTheApiRegistrationAndTenant()
    {
        Assert.Equal(JsonValueKind.True, AuthSettings.Find("properties.identityProviders.azureActiveDirectory.enabled")?.ValueKind);
        Assert.Equal("[parameters('authClientId')]", AuthSettings.Find("properties.identityProviders.azureActiveDirectory.registration.clientId")?.GetString());
        Assert.Equal(
            "[format('{0}{1}/v2.0', environment().authentication.loginEndpoint, parameters('authTenantId'))]",
            AuthSettings.Find("properties.identityProviders.azureActiveDirectory.registration.openIdIssuer")?.GetString());
        var audiences = AuthSettings.Find("properties.identityProviders.azureActiveDirectory.validation.allowedAudiences")!.Value
            .EnumerateArray().Select(a => a.GetString()).ToList();
        Assert.Equal(["[parameters('authClientId')]", "[format('api://{0}', parameters('authClientId'))]"], audiences);
    }

    [Fact]
    public void AuthSettings_AnApiForBackEnds_HasNoClientSecretAndNoTokenStore()
    {
        // Validating bearer tokens needs no secret; a client secret would only serve browser sign-in, which this API has none of.
        Assert.Null(AuthSettings.Find("properties.identityProviders.azureActiveDirectory.registration.clientSecretSettingName"));
        Assert.Null(AuthSettings.Find("properties.identityProviders.azureActiveDirectory.registration.clientSecretCertificateThumbprint"));
        Assert.Equal(JsonValueKind.False, AuthSettings.Find("properties.login.tokenStore.enabled")?.ValueKind);
    }

    [Fact]
    public void Main_ApiRegistration_IsAParameterWithTheDeploymentTenantAsDefault()
    {
        var api = infrastructure.Template.Module("api");
        var parameters = infrastructure.Template.Root.GetProperty("parameters");

        Assert.Equal(string.Empty, parameters.GetProperty("apiAuthClientId").GetProperty("defaultValue").GetString());
        Assert.Equal("[parameters('apiAuthClientId')]", api.Find("properties.parameters.authClientId.value")?.GetString());
        Assert.Equal(
            "[if(not(empty(parameters('apiAuthTenantId'))), createObject('value', parameters('apiAuthTenantId')), createObject('value', tenant().tenantId))]",
            api.Find("properties.parameters.authTenantId")?.GetString());
    }

    [Theory]
    [InlineData("apiAuthClientId", "${API_AUTH_CLIENT_ID=}")]
    [InlineData("apiAuthTenantId", "${API_AUTH_TENANT_ID=}")]
    [InlineData("servingCallers", "${SERVING_CALLERS=}")]
    [InlineData("privacyCallers", "${PRIVACY_CALLERS=}")]
    [InlineData("operationsCallers", "${OPERATIONS_CALLERS=}")]
    public void MainParameters_AccessParameter_MapsAzdVariable(string parameter, string expected)
    {
        using var document = JsonDocument.Parse(File.ReadAllText(Path.Combine(InfraPaths.InfraDirectory, "main.parameters.json")));

        Assert.Equal(expected, document.RootElement.GetProperty("parameters").GetProperty(parameter).GetProperty("value").GetString());
    }
}
