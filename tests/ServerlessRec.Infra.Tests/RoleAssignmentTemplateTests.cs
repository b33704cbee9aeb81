using System.Text.RegularExpressions;
using ServerlessRec.Infra.Tests.Arm;

namespace ServerlessRec.Infra.Tests;

/// <summary>The app's identity holds exactly the data roles it needs, each on the resource it needs it for.</summary>
[Collection(CompiledInfrastructureDefinition.Name)]
public sealed partial class RoleAssignmentTemplateTests(CompiledInfrastructure infrastructure)
{
    private const string RoleAssignmentType = "Microsoft.Authorization/roleAssignments";
    private const string AppPrincipal = "[parameters('appPrincipalId')]";
    private const string UserPrincipal = "[parameters('userPrincipalId')]";

    private const string StorageScope = "[resourceId('Microsoft.Storage/storageAccounts', parameters('storageAccountName'))]";
    private const string SearchScope = "[resourceId('Microsoft.Search/searchServices', parameters('searchServiceName'))]";
    private const string InsightsScope = "[resourceId('Microsoft.Insights/components', parameters('applicationInsightsName'))]";

    private const string StorageBlobDataOwner = "b7e6dc6d-f1e8-4753-8033-0f276bb0955b";
    private const string StorageBlobDataContributor = "ba92f5b4-2d11-453d-a403-e96b0029c9fe";
    private const string StorageQueueDataContributor = "974c5e8b-45b9-4653-ba55-5f855dd0fb88";
    private const string StorageTableDataContributor = "0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3";
    private const string SearchIndexDataContributor = "8ebe5a00-799e-43f5-93ac-243d3dce84a7";
    private const string SearchServiceContributor = "7ca78c08-252a-4471-8644-bb5ff32d4ba0";
    private const string MonitoringMetricsPublisher = "3913510d-42f4-4e42-8a64-420c390055eb";

    public static TheoryData<string, string> AppRoles() => new()
    {
        { StorageBlobDataOwner, StorageScope },
        { StorageQueueDataContributor, StorageScope },
        { StorageTableDataContributor, StorageScope },
        { SearchIndexDataContributor, SearchScope },
        { SearchServiceContributor, SearchScope },
        { MonitoringMetricsPublisher, InsightsScope },
    };

    public static TheoryData<string, string> UserRoles() => new()
    {
        { StorageBlobDataContributor, StorageScope },
        { SearchIndexDataContributor, SearchScope },
        { SearchServiceContributor, SearchScope },
    };

    private IReadOnlyList<ArmResource> Assignments => infrastructure.Template.OfType(RoleAssignmentType).ToList();

    [Theory]
    [MemberData(nameof(AppRoles))]
    public void AppIdentity_RequiredRole_IsAssignedOnItsResource(string roleId, string scope)
    {
        var assignment = Assert.Single(Assignments, a => Principal(a) == AppPrincipal && RoleId(a) == roleId);

        Assert.Equal(scope, assignment.Find("scope")?.GetString());
        Assert.Equal("ServicePrincipal", assignment.Find("properties.principalType")?.GetString());
        Assert.Null(assignment.Find("condition"));
    }

    [Fact]
    public void AppIdentity_Roles_AreExactlyTheRequiredOnes()
    {
        var expected = AppRoles().Select(row => (string)row[0]).Order(StringComparer.Ordinal);
        var actual = Assignments.Where(a => Principal(a) == AppPrincipal).Select(RoleId).Order(StringComparer.Ordinal);

        Assert.Equal(expected, actual);
    }

    [Theory]
    [MemberData(nameof(UserRoles))]
    public void DeployingUser_DataRole_IsAssignedOnlyWhenPrincipalIdIsSet(string roleId, string scope)
    {
        var assignment = Assert.Single(Assignments, a => Principal(a) == UserPrincipal && RoleId(a) == roleId);

        Assert.Equal(scope, assignment.Find("scope")?.GetString());
        Assert.Equal("[parameters('userPrincipalType')]", assignment.Find("properties.principalType")?.GetString());
        Assert.Equal("[not(empty(parameters('userPrincipalId')))]", assignment.ResolveCondition());
    }

    [Fact]
    public void RoleAssignments_Names_AreGuidOfScopePrincipalAndRole()
    {
        Assert.NotEmpty(Assignments);
        foreach (var assignment in Assignments)
        {
            var roleExpression = RoleVariable().Match(assignment.Find("properties.roleDefinitionId")!.Value.GetString()!);
            Assert.True(roleExpression.Success, $"{assignment.Name}: roleDefinitionId does not use a role id variable.");

            var expected = $"[guid({Inner(assignment.Find("scope")!.Value.GetString()!)}, "
                + $"{Inner(assignment.Find("properties.principalId")!.Value.GetString()!)}, {roleExpression.Value})]";
            Assert.Equal(expected, assignment.Name);
        }
    }

    [Fact]
    public void RoleAssignments_All_LiveInRbacModule()
    {
        Assert.All(Assignments, assignment => Assert.Equal("main/rbac", assignment.DeploymentPath));
    }

    [Theory]
    [InlineData("storageAccountName", "'storage'", "outputs.name.value")]
    [InlineData("searchServiceName", "'search'", "outputs.name.value")]
    [InlineData("applicationInsightsName", "'monitoring'", "outputs.applicationInsightsName.value")]
    [InlineData("appPrincipalId", "'api'", "outputs.principalId.value")]
    public void RbacModule_Parameter_ComesFromModuleThatCreatesTheResource(string parameter, string module, string output)
    {
        var value = infrastructure.Template.Module("rbac").Find($"properties.parameters.{parameter}.value")?.GetString();

        Assert.NotNull(value);
        Assert.Contains($"'Microsoft.Resources/deployments', {module})", value, StringComparison.Ordinal);
        Assert.EndsWith($".{output}]", value, StringComparison.Ordinal);
    }

    [Fact]
    public void ApiModule_PrincipalIdOutput_IsTheSiteSystemAssignedIdentity()
    {
        var api = infrastructure.Template.Module("api");

        Assert.Equal(
            "[reference(resourceId('Microsoft.Web/sites', parameters('name')), '2024-04-01', 'full').identity.principalId]",
            api.Properties.GetProperty("template").FindPath("outputs.principalId.value")?.GetString());
    }

    private static string? Principal(ArmResource assignment) =>
        assignment.Find("properties.principalId")?.GetString();

    private static string RoleId(ArmResource assignment)
    {
        var resolved = assignment.ResolveVariables(assignment.Find("properties.roleDefinitionId")!.Value.GetString()!);
        var match = RoleDefinition().Match(resolved);
        Assert.True(match.Success, $"Unexpected roleDefinitionId: {resolved}");
        return match.Groups["id"].Value;
    }

    private static string Inner(string expression) => expression[1..^1];

    [GeneratedRegex(@"^\[subscriptionResourceId\('Microsoft\.Authorization/roleDefinitions', '(?<id>[0-9a-f-]{36})'\)\]$")]
    private static partial Regex RoleDefinition();

    [GeneratedRegex(@"variables\('[A-Za-z]+RoleId'\)")]
    private static partial Regex RoleVariable();
}
