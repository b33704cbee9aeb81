using ServerlessRec.Infra.Tests.Arm;

namespace ServerlessRec.Infra.Tests;

/// <summary>No key, connection string with a key, or key-listing function reaches settings or outputs.</summary>
[Collection(CompiledInfrastructureDefinition.Name)]
public sealed class SecretsTemplateTests(CompiledInfrastructure infrastructure)
{
    private static readonly string[] s_forbidden =
    [
        "listKeys",
        "listAdminKeys",
        "listQueryKeys",
        "listConnectionStrings",
        "listAccountSas",
        "AccountKey=",
        "SharedAccessKey",
    ];

    [Fact]
    public void AppSettingsAndOutputs_EveryLevel_ContainNoKeys()
    {
        var values = new List<string>();
        foreach (var site in infrastructure.Template.OfType("Microsoft.Web/sites"))
        {
            values.AddRange(site.Find("properties.siteConfig.appSettings")?.AllStrings() ?? []);
        }

        foreach (var (_, template) in infrastructure.Template.Templates())
        {
            values.AddRange(template.FindPath("outputs")?.AllStrings() ?? []);
        }

        Assert.NotEmpty(values);
        AssertNoneForbidden(values);
    }

    [Fact]
    public void Template_Anywhere_ListsNoKeys()
    {
        AssertNoneForbidden(infrastructure.Template.Root.AllStrings());
    }

    [Fact]
    public void Parameters_EveryLevel_DeclareNoSecureValues()
    {
        // A secure parameter would mean a secret travels through the deployment.
        foreach (var (path, template) in infrastructure.Template.Templates())
        {
            foreach (var parameter in template.GetProperty("parameters").EnumerateObject())
            {
                var type = parameter.Value.GetProperty("type").GetString();
                Assert.False(
                    type is "securestring" or "secureObject",
                    $"{path}: parameter {parameter.Name} is {type}.");
            }
        }
    }

    private static void AssertNoneForbidden(IEnumerable<string> values)
    {
        foreach (var value in values)
        {
            foreach (var forbidden in s_forbidden)
            {
                Assert.False(
                    value.Contains(forbidden, StringComparison.OrdinalIgnoreCase),
                    $"'{forbidden}' found in: {value}");
            }
        }
    }
}
