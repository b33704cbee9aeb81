using System.Text.RegularExpressions;
using ServerlessRec.Http;

namespace ServerlessRec.Infra.Tests;

/// <summary>
/// The function-key fallback script gives each caller group keys on exactly the functions of its group: a web app key
/// that also opened a privacy route would undo the trust model.
/// </summary>
public sealed partial class FunctionKeysScriptTests
{
    private static string ScriptPath => Path.Combine(InfraPaths.InfraDirectory, "scripts", "set-function-keys.sh");

    [Theory]
    [InlineData(RouteGroup.Serving, "SERVING_FUNCTIONS")]
    [InlineData(RouteGroup.Privacy, "PRIVACY_FUNCTIONS")]
    [InlineData(RouteGroup.Operations, "OPERATIONS_FUNCTIONS")]
    public void Script_GroupFunctions_AreTheRouteTablesGroup(RouteGroup group, string variable)
    {
        var match = Regex.Match(File.ReadAllText(ScriptPath), $"^{variable}=\"(?<names>[^\"]*)\"$", RegexOptions.Multiline);

        Assert.True(match.Success, $"{variable} not found in {ScriptPath}");
        Assert.Equal(
            RouteTable.Routes.Where(r => r.Group == group).Select(r => r.Name).Order(StringComparer.Ordinal),
            match.Groups["names"].Value.Split(' ', StringSplitOptions.RemoveEmptyEntries).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Script_RoleValues_AreTheAppRolesRouteAccessChecks()
    {
        var script = File.ReadAllText(Path.Combine(InfraPaths.InfraDirectory, "scripts", "create-api-app-registration.sh"));
        var values = RoleValue().Matches(script).Select(m => m.Groups["role"].Value).Order(StringComparer.Ordinal);

        Assert.Equal(Enum.GetValues<RouteGroup>().Select(RouteAccess.RoleOf).Order(StringComparer.Ordinal), values);
    }

    [GeneratedRegex("\"value\": \"(?<role>[^\"]+)\"")]
    private static partial Regex RoleValue();
}
