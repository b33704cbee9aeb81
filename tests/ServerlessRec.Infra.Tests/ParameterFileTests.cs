using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using ServerlessRec.Infra.Tests.Arm;

namespace ServerlessRec.Infra.Tests;

/// <summary>
/// The azd parameter file maps environment variables; the prod file holds literal values for
/// <c>az deployment sub create</c>. Both must stay valid against <c>main.bicep</c>.
/// </summary>
[Collection(CompiledInfrastructureDefinition.Name)]
public sealed partial class ParameterFileTests(CompiledInfrastructure infrastructure)
{
    public static TheoryData<string> ParameterFiles() => new() { "main.parameters.json", "main.parameters.prod.json" };

    private JsonElement TemplateParameters => infrastructure.Template.Root.GetProperty("parameters");

    [Fact]
    public void ProdParameters_SearchReplicaCount_IsAtLeastTwo()
    {
        Assert.True(ProdValue("searchReplicaCount").GetInt32() >= 2, "Two replicas are the minimum for the query SLA.");
    }

    [Fact]
    public void ProdParameters_ZoneRedundancy_IsOnForStorageAndFunctions()
    {
        Assert.Equal("Standard_ZRS", ProdValue("storageSkuName").GetString());
        Assert.Equal(JsonValueKind.True, ProdValue("functionZoneRedundant").ValueKind);
    }

    [Theory]
    [MemberData(nameof(ParameterFiles))]
    public void ParameterFile_EveryParameter_IsDeclaredInMainTemplate(string fileName)
    {
        foreach (var parameter in ReadParameters(fileName).EnumerateObject())
        {
            Assert.True(TemplateParameters.TryGetProperty(parameter.Name, out _), $"{fileName}: unknown parameter {parameter.Name}.");
        }
    }

    [Fact]
    public void ProdParameters_EveryValue_IsAllowedByMainTemplate()
    {
        foreach (var parameter in ReadParameters("main.parameters.prod.json").EnumerateObject())
        {
            var value = parameter.Value.GetProperty("value");
            var declaration = TemplateParameters.GetProperty(parameter.Name);

            Assert.Equal(declaration.GetProperty("type").GetString(), ArmType(value));
            if (declaration.TryGetProperty("allowedValues", out var allowed))
            {
                Assert.Contains(allowed.EnumerateArray(), item => item.GetRawText() == value.GetRawText());
            }

            if (declaration.TryGetProperty("minValue", out var min))
            {
                Assert.True(value.GetInt32() >= min.GetInt32(), $"{parameter.Name} is below {min}.");
            }

            if (declaration.TryGetProperty("maxValue", out var max))
            {
                Assert.True(value.GetInt32() <= max.GetInt32(), $"{parameter.Name} is above {max}.");
            }
        }
    }

    [Fact]
    public void ProdParameters_EveryKnob_CanBeSetThroughAzdEnvironment()
    {
        var mapped = ReadParameters("main.parameters.json");

        foreach (var parameter in ReadParameters("main.parameters.prod.json").EnumerateObject())
        {
            Assert.True(mapped.TryGetProperty(parameter.Name, out _), $"main.parameters.json does not map {parameter.Name}.");
        }
    }

    [Theory]
    [InlineData("environmentName", "${AZURE_ENV_NAME}")]
    [InlineData("location", "${AZURE_LOCATION}")]
    [InlineData("principalId", "${AZURE_PRINCIPAL_ID}")]
    public void MainParameters_AzdParameter_MapsAzdVariable(string parameter, string expected)
    {
        Assert.Equal(expected, ReadParameters("main.parameters.json").GetProperty(parameter).GetProperty("value").GetString());
    }

    [Fact]
    public void MainParameters_VariableDefaults_EqualTemplateDefaults()
    {
        var checkedDefaults = 0;
        foreach (var parameter in ReadParameters("main.parameters.json").EnumerateObject())
        {
            var match = VariableWithDefault().Match(parameter.Value.GetProperty("value").GetString() ?? string.Empty);
            if (!match.Success)
            {
                continue;
            }

            var templateDefault = TemplateParameters.GetProperty(parameter.Name).GetProperty("defaultValue");
            Assert.Equal(AsText(templateDefault), match.Groups["default"].Value);
            checkedDefaults++;
        }

        Assert.True(checkedDefaults > 0, "No ${VAR=default} mapping was found.");
    }

    private static JsonElement ProdValue(string parameter) =>
        ReadParameters("main.parameters.prod.json").GetProperty(parameter).GetProperty("value");

    private static JsonElement ReadParameters(string fileName)
    {
        using var document = JsonDocument.Parse(File.ReadAllText(Path.Combine(InfraPaths.InfraDirectory, fileName)));
        return document.RootElement.GetProperty("parameters").Clone();
    }

    private static string ArmType(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => "string",
        JsonValueKind.Number => "int",
        JsonValueKind.True or JsonValueKind.False => "bool",
        JsonValueKind.Array => "array",
        _ => "object",
    };

    private static string AsText(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString()!,
        JsonValueKind.Number => value.GetInt64().ToString(CultureInfo.InvariantCulture),
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        _ => value.GetRawText(),
    };

    [GeneratedRegex(@"^\$\{[A-Z_]+=(?<default>[^}]*)\}$")]
    private static partial Regex VariableWithDefault();
}
