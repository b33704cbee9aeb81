using System.Text.Json;
using ServerlessRec.Configuration;
using ServerlessRec.Infra.Tests.Arm;

namespace ServerlessRec.Infra.Tests;

[Collection(CompiledInfrastructureDefinition.Name)]
public sealed class FunctionAppTemplateTests(CompiledInfrastructure infrastructure)
{
    private ArmTemplate Template => infrastructure.Template;

    private ArmResource Site => Template.SingleOfType("Microsoft.Web/sites");

    [Fact]
    public void Site_Identity_IsSystemAssigned()
    {
        Assert.Equal("SystemAssigned", Site.Find("identity.type")?.GetString());
    }

    [Fact]
    public void Site_Plan_IsLinuxFlexConsumption()
    {
        var plan = Template.SingleOfType("Microsoft.Web/serverfarms");

        Assert.Equal("functionapp,linux", Site.Find("kind")?.GetString());
        Assert.Equal("FC1", plan.Find("sku.name")?.GetString());
        Assert.Equal("FlexConsumption", plan.Find("sku.tier")?.GetString());
        Assert.Equal(JsonValueKind.True, plan.Find("properties.reserved")?.ValueKind);
        Assert.Equal("[parameters('zoneRedundant')]", plan.Find("properties.zoneRedundant")?.GetString());
        Assert.Equal("2024-04-01", Site.Find("apiVersion")?.GetString());
    }

    [Fact]
    public void Site_FunctionAppConfig_RunsDotnetIsolated10FromIdentityAuthenticatedBlobContainer()
    {
        Assert.Equal("dotnet-isolated", Site.Find("properties.functionAppConfig.runtime.name")?.GetString());
        Assert.Equal("10.0", Site.Find("properties.functionAppConfig.runtime.version")?.GetString());
        Assert.Equal("blobContainer", Site.Find("properties.functionAppConfig.deployment.storage.type")?.GetString());
        Assert.Equal(
            "SystemAssignedIdentity",
            Site.Find("properties.functionAppConfig.deployment.storage.authentication.type")?.GetString());
        Assert.Equal(
            "[parameters('instanceMemoryMB')]",
            Site.Find("properties.functionAppConfig.scaleAndConcurrency.instanceMemoryMB")?.GetString());
        Assert.Equal(
            "[parameters('maximumInstanceCount')]",
            Site.Find("properties.functionAppConfig.scaleAndConcurrency.maximumInstanceCount")?.GetString());
    }

    [Fact]
    public void Site_DeploymentContainer_IsOneTheStorageModuleCreates()
    {
        var api = Template.Module("api");
        var storage = Template.Module("storage");

        var apiContainer = api.Find("properties.parameters.deploymentContainerName.value")?.GetString();
        var storageContainer = storage.Find("properties.parameters.deploymentContainerName.value")?.GetString();

        Assert.NotNull(apiContainer);
        Assert.Equal(apiContainer, storageContainer);
        Assert.Equal(
            "[format('{0}{1}', parameters('storageBlobEndpoint'), parameters('deploymentContainerName'))]",
            Site.Find("properties.functionAppConfig.deployment.storage.value")?.GetString());
    }

    [Fact]
    public void Site_Tags_CarryAzdServiceNameApi()
    {
        var api = Template.Module("api");

        Assert.Equal(
            "[union(parameters('tags'), createObject('azd-service-name', parameters('serviceName')))]",
            Site.Find("tags")?.GetString());
        Assert.Equal("['api']", api.ResolveVariables(api.Find("properties.parameters.serviceName.value")!.Value.GetString()!));
    }

    [Fact]
    public void Site_Transport_IsHttpsOnlyWithTls12AndNoFtp()
    {
        Assert.Equal(JsonValueKind.True, Site.Find("properties.httpsOnly")?.ValueKind);
        Assert.Equal("1.2", Site.Find("properties.siteConfig.minTlsVersion")?.GetString());
        Assert.Equal("Disabled", Site.Find("properties.siteConfig.ftpsState")?.GetString());
    }

    [Fact]
    public void Site_BasicPublishingCredentials_AreDisabled()
    {
        var policies = Template.OfType("Microsoft.Web/sites/basicPublishingCredentialsPolicies").ToList();

        Assert.Equal(2, policies.Count);
        Assert.All(policies, policy => Assert.Equal(JsonValueKind.False, policy.Find("properties.allow")?.ValueKind));
    }

    [Fact]
    public void AppSettings_Names_EqualAppSettingNamesAll()
    {
        var names = AppSettings().Keys.Order(StringComparer.Ordinal);

        Assert.Equal(AppSettingNames.All.Order(StringComparer.Ordinal), names);
    }

    [Theory]
    [InlineData("FUNCTIONS_WORKER_RUNTIME")]
    [InlineData("FUNCTIONS_EXTENSION_VERSION")]
    [InlineData("AzureWebJobsStorage")]
    [InlineData("WEBSITE_RUN_FROM_PACKAGE")]
    [InlineData("APPINSIGHTS_INSTRUMENTATIONKEY")]
    public void AppSettings_FlexConsumptionWithIdentity_LeaveOutSetting(string name)
    {
        Assert.DoesNotContain(name, AppSettings().Keys);
    }

    [Theory]
    [InlineData(AppSettingNames.WebJobsStorageAccountName, "[parameters('storageAccountName')]")]
    [InlineData(AppSettingNames.WebJobsStorageCredential, "managedidentity")]
    [InlineData(AppSettingNames.RetrainSchedule, "[parameters('retrainSchedule')]")]
    [InlineData(AppSettingNames.StorageProvider, "AzureBlob")]
    [InlineData(AppSettingNames.StorageBlobServiceUri, "[parameters('storageBlobEndpoint')]")]
    [InlineData(AppSettingNames.SearchProvider, "AzureAISearch")]
    [InlineData(AppSettingNames.SearchEndpoint, "[parameters('searchEndpoint')]")]
    [InlineData(AppSettingNames.ApplicationInsightsAuthenticationString, "Authorization=AAD")]
    [InlineData(AppSettingNames.AccessServingCallers, "[parameters('servingCallers')]")]
    [InlineData(AppSettingNames.AccessPrivacyCallers, "[parameters('privacyCallers')]")]
    [InlineData(AppSettingNames.AccessOperationsCallers, "[parameters('operationsCallers')]")]
    public void AppSettings_Setting_HasIdentityBasedValue(string name, string expected)
    {
        Assert.Equal(expected, AppSettings()[name]);
    }

    [Fact]
    public void RetrainSchedule_Default_IsThreeInTheMorningDaily()
    {
        Assert.Equal("0 0 3 * * *", Template.Root.FindPath("parameters.retrainSchedule.defaultValue")?.GetString());
        Assert.Equal(
            "[parameters('retrainSchedule')]",
            Template.Module("api").Find("properties.parameters.retrainSchedule.value")?.GetString());
    }

    [Fact]
    public void AppSettings_AccessMode_IsEntraExactlyWhenTheApiHasAnAppRegistration()
    {
        Assert.Equal("[if(variables('entraEnabled'), 'Entra', 'FunctionKeys')]", AppSettings()[AppSettingNames.AccessMode]);
        Assert.Equal("[not(empty(parameters('authClientId')))]", Site.Template.GetProperty("variables").GetProperty("entraEnabled").GetString());
        Assert.Equal(["FunctionKeys", "Entra"], Enum.GetNames<ServerlessRec.Http.AccessMode>());
    }

    private Dictionary<string, string> AppSettings()
    {
        var settings = new Dictionary<string, string>(StringComparer.Ordinal);
        if (Site.Find("properties.siteConfig.appSettings") is { ValueKind: JsonValueKind.Array } list)
        {
            foreach (var setting in list.EnumerateArray())
            {
                settings.Add(setting.GetProperty("name").GetString()!, setting.GetProperty("value").GetString()!);
            }
        }

        // Settings may also come from a sites/config 'appsettings' resource; count those too (not 'authsettingsV2').
        foreach (var config in Template.OfType("Microsoft.Web/sites/config").Where(c => c.Name.Contains("'appsettings'", StringComparison.OrdinalIgnoreCase)))
        {
            foreach (var property in config.Properties.EnumerateObject())
            {
                settings.Add(property.Name, property.Value.ToString());
            }
        }

        return settings;
    }
}
