using ServerlessRec.Infra.Tests.Arm;

namespace ServerlessRec.Infra.Tests;

/// <summary>The compiler and the linter accept every Bicep file without a single diagnostic.</summary>
[Collection(CompiledInfrastructureDefinition.Name)]
public sealed class BicepBuildTests(CompiledInfrastructure infrastructure)
{
    public static TheoryData<string> BicepFiles()
    {
        var data = new TheoryData<string>();
        foreach (var file in InfraPaths.BicepFiles())
        {
            data.Add(file);
        }

        return data;
    }

    [Fact]
    public void Build_MainTemplate_SucceedsWithNothingOnStderr()
    {
        Assert.Equal(string.Empty, infrastructure.Build.StandardError);
        Assert.Equal(0, infrastructure.Build.ExitCode);
    }

    [Theory]
    [MemberData(nameof(BicepFiles))]
    public async Task Lint_BicepFile_PrintsNothingOnStderr(string relativePath)
    {
        var result = await infrastructure.Bicep.RunAsync(InfraPaths.InfraDirectory, "lint", relativePath);

        Assert.Equal(string.Empty, result.StandardError);
        Assert.Equal(0, result.ExitCode);
    }

    [Fact]
    public void BicepFiles_InfraFolder_IncludeMainAndOneModulePerConcern()
    {
        string[] expected =
        [
            "app/alerts.bicep",
            "app/api.bicep",
            "app/dashboard.bicep",
            "app/monitoring.bicep",
            "app/rbac.bicep",
            "app/search.bicep",
            "app/storage.bicep",
            "main.bicep",
        ];

        Assert.Equal(expected, InfraPaths.BicepFiles());
    }
}
