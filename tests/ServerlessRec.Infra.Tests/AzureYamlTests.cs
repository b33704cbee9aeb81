using ServerlessRec.Infra.Tests.Arm;

namespace ServerlessRec.Infra.Tests;

/// <summary>azure.yaml names the service the Bicep tags with <c>azd-service-name</c>.</summary>
[Collection(CompiledInfrastructureDefinition.Name)]
public sealed class AzureYamlTests(CompiledInfrastructure infrastructure)
{
    [Fact]
    public void AzureYaml_ApiService_DeploysFunctionsProjectAsDotnetFunction()
    {
        var service = ReadServiceBlock("api");

        Assert.Equal("./functions/ServerlessRec.Functions", service["project"]);
        Assert.Equal("dotnet", service["language"]);
        Assert.Equal("function", service["host"]);
    }

    [Fact]
    public void AzureYaml_ServiceName_MatchesTemplateServiceName()
    {
        Assert.Equal("api", infrastructure.Template.Root.FindPath("variables.apiServiceName")?.GetString());
        Assert.NotEmpty(ReadServiceBlock("api"));
    }

    // A two-level reader for the small, flat azure.yaml: `services:` → `  name:` → `    key: value`.
    private static Dictionary<string, string> ReadServiceBlock(string serviceName)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        var inServices = false;
        var inService = false;
        foreach (var rawLine in File.ReadAllLines(InfraPaths.AzureYaml))
        {
            var line = rawLine.Split('#')[0].TrimEnd();
            if (line.Length == 0)
            {
                continue;
            }

            var indent = line.Length - line.TrimStart().Length;
            if (indent == 0)
            {
                inServices = line == "services:";
                inService = false;
            }
            else if (inServices && indent == 2)
            {
                inService = line.Trim() == $"{serviceName}:";
            }
            else if (inService && indent == 4)
            {
                var separator = line.IndexOf(':', StringComparison.Ordinal);
                values[line[..separator].Trim()] = line[(separator + 1)..].Trim();
            }
        }

        return values;
    }
}
