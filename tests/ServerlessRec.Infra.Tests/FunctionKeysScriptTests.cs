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
    public void Script_RunWithAFakeAz_GivesEveryFunctionOfAGroupTheSameValueAndEachGroupItsOwn()
    {
        // A stand-in for the Azure CLI on PATH that records the arguments of each call, one line per call.
        var folder = Directory.CreateTempSubdirectory("srec-keys-");
        try
        {
            var calls = Path.Combine(folder.FullName, "calls.txt");
            var az = Path.Combine(folder.FullName, "az");
            File.WriteAllText(az, "#!/usr/bin/env bash\nprintf '%s\\n' \"$*\" >> \"$AZ_CALLS\"\n");
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(az, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            }

            var start = new System.Diagnostics.ProcessStartInfo("bash", [ScriptPath, "rg", "app"]) { RedirectStandardOutput = true, RedirectStandardError = true };
            start.Environment["PATH"] = folder.FullName + ":" + Environment.GetEnvironmentVariable("PATH");
            start.Environment["AZ_CALLS"] = calls;
            using var process = System.Diagnostics.Process.Start(start)!;
            var error = process.StandardError.ReadToEnd();
            process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            Assert.True(process.ExitCode == 0, error);

            var matches = File.ReadAllLines(calls).Select(line => (Line: line, Match: KeySetCall().Match(line))).ToList();
            Assert.All(matches, m => Assert.True(m.Match.Success, m.Line));
            var values = matches
                .Select(m => m.Match)
                .Select(m => (Function: m.Groups["function"].Value, Group: m.Groups["group"].Value, Value: m.Groups["value"].Value))
                .ToList();
            Assert.Equal(RouteTable.Routes.Count, values.Count);
            var byGroup = values.GroupBy(v => v.Group).ToDictionary(g => g.Key, g => g.Select(v => v.Value).Distinct().ToList());
            Assert.Equal(new[] { "operations", "privacy", "serving" }, byGroup.Keys.Order(StringComparer.Ordinal));
            Assert.All(byGroup.Values, distinct => Assert.True(distinct is [{ Length: >= 32 }], string.Join(", ", distinct)));
            Assert.Equal(3, byGroup.Values.Select(v => v[0]).Distinct().Count());
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [Fact]
    public void Script_RoleValues_AreTheAppRolesRouteAccessChecks()
    {
        var script = File.ReadAllText(Path.Combine(InfraPaths.InfraDirectory, "scripts", "create-api-app-registration.sh"));
        var values = RoleValue().Matches(script).Select(m => m.Groups["role"].Value).Order(StringComparer.Ordinal);

        Assert.Equal(Enum.GetValues<RouteGroup>().Select(RouteAccess.RoleOf).Order(StringComparer.Ordinal), values);
    }

    [GeneratedRegex("^functionapp function keys set -g rg -n app --function-name (?<function>\\S+) --key-name (?<group>[a-z]+)-caller(?: --key-value (?<value>\\S+))? -o none$")]
    private static partial Regex KeySetCall();

    [GeneratedRegex("\"value\": \"(?<role>[^\"]+)\"")]
    private static partial Regex RoleValue();
}
