using System.Text.Json;
using ServerlessRec.Infra.Tests.Arm;

namespace ServerlessRec.Infra.Tests;

[Collection(CompiledInfrastructureDefinition.Name)]
public sealed class SearchAndMonitoringTemplateTests(CompiledInfrastructure infrastructure)
{
    private ArmResource Search => infrastructure.Template.SingleOfType("Microsoft.Search/searchServices");

    [Fact]
    public void SearchService_Authentication_IsRbacOnlyWithoutAuthOptions()
    {
        Assert.Equal(JsonValueKind.True, Search.Find("properties.disableLocalAuth")?.ValueKind);
        Assert.Null(Search.Find("properties.authOptions"));
    }

    [Fact]
    public void SearchService_SemanticSearch_IsDisabled()
    {
        Assert.Equal("disabled", Search.Find("properties.semanticSearch")?.GetString());
    }

    [Fact]
    public void SearchService_Capacity_DefaultsToOneBasicUnitFromParameters()
    {
        var parameters = infrastructure.Template.Root.GetProperty("parameters");

        Assert.Equal("basic", parameters.FindPath("searchSkuName.defaultValue")?.GetString());
        Assert.Equal(1, parameters.FindPath("searchReplicaCount.defaultValue")?.GetInt32());
        Assert.Equal(1, parameters.FindPath("searchPartitionCount.defaultValue")?.GetInt32());
        Assert.Equal("[parameters('replicaCount')]", Search.Find("properties.replicaCount")?.GetString());
        Assert.Equal("[parameters('partitionCount')]", Search.Find("properties.partitionCount")?.GetString());
    }

    [Fact]
    public void ApplicationInsights_Ingestion_RequiresEntraId()
    {
        var component = infrastructure.Template.SingleOfType("Microsoft.Insights/components");

        Assert.Equal(JsonValueKind.True, component.Find("properties.DisableLocalAuth")?.ValueKind);
        Assert.Equal(
            "[resourceId('Microsoft.OperationalInsights/workspaces', parameters('logAnalyticsName'))]",
            component.Find("properties.WorkspaceResourceId")?.GetString());
    }
}
