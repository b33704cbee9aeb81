using System.Reflection;
using System.Text.Json;
using ServerlessRec.Infra.Tests.Arm;
using ServerlessRec.Storage;

namespace ServerlessRec.Infra.Tests;

[Collection(CompiledInfrastructureDefinition.Name)]
public sealed class StorageTemplateTests(CompiledInfrastructure infrastructure)
{
    private ArmResource Account => infrastructure.Template.SingleOfType("Microsoft.Storage/storageAccounts");

    [Fact]
    public void StorageAccount_Access_BlocksPublicBlobsSharedKeysAndOldTls()
    {
        Assert.Equal(JsonValueKind.False, Account.Find("properties.allowBlobPublicAccess")?.ValueKind);
        Assert.Equal(JsonValueKind.False, Account.Find("properties.allowSharedKeyAccess")?.ValueKind);
        Assert.Equal("TLS1_2", Account.Find("properties.minimumTlsVersion")?.GetString());
        Assert.Equal(JsonValueKind.True, Account.Find("properties.supportsHttpsTrafficOnly")?.ValueKind);
    }

    [Fact]
    public void BlobService_SoftDelete_IsEnabledForBlobsAndContainers()
    {
        var blobService = infrastructure.Template.SingleOfType("Microsoft.Storage/storageAccounts/blobServices");

        Assert.Equal(JsonValueKind.True, blobService.Find("properties.deleteRetentionPolicy.enabled")?.ValueKind);
        Assert.Equal(
            "[parameters('softDeleteRetentionDays')]",
            blobService.Find("properties.deleteRetentionPolicy.days")?.GetString());
        Assert.Equal(JsonValueKind.True, blobService.Find("properties.containerDeleteRetentionPolicy.enabled")?.ValueKind);
        Assert.Equal(
            "[parameters('blobSoftDeleteRetentionDays')]",
            infrastructure.Template.Module("storage").Find("properties.parameters.softDeleteRetentionDays.value")?.GetString());
    }

    [Fact]
    public void Containers_DataContainers_EqualContainerNames()
    {
        var expected = typeof(ContainerNames).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(field => field.IsLiteral)
            .Select(field => (string)field.GetRawConstantValue()!)
            .Order(StringComparer.Ordinal);

        var declared = infrastructure.Template.Root.FindPath("variables.dataContainerNames")!.Value
            .EnumerateArray()
            .Select(name => name.GetString()!)
            .Order(StringComparer.Ordinal);

        Assert.Equal(expected, declared);
        Assert.Equal(
            "[variables('dataContainerNames')]",
            infrastructure.Template.Module("storage").Find("properties.parameters.containerNames.value")?.GetString());
    }

    [Fact]
    public void Containers_Loop_CoversDataAndDeploymentContainersPrivately()
    {
        var containers = infrastructure.Template.SingleOfType("Microsoft.Storage/storageAccounts/blobServices/containers");

        Assert.Equal(
            "[format('{0}/{1}/{2}', parameters('name'), 'default', "
                + "union(parameters('containerNames'), createArray(parameters('deploymentContainerName')))[copyIndex()])]",
            containers.Name);
        Assert.Equal("None", containers.Find("properties.publicAccess")?.GetString());
    }

    [Fact]
    public void Template_NetworkRules_OpenNoAddressRange()
    {
        // Public endpoints stay token-gated; no IP rule (let alone 0.0.0.0/0) is opened anywhere.
        Assert.DoesNotContain(
            infrastructure.Template.Root.AllStrings(),
            value => value.Contains("0.0.0.0", StringComparison.Ordinal));
        Assert.Null(Account.Find("properties.networkAcls.ipRules"));
        Assert.Null(infrastructure.Template.SingleOfType("Microsoft.Search/searchServices").Find("properties.networkRuleSet"));
    }
}
