using System.Text.Json;

namespace ServerlessRec.Infra.Tests.Arm;

/// <summary>A compiled ARM template, with the templates of its nested deployments (Bicep modules).</summary>
public sealed class ArmTemplate
{
    private const string DeploymentType = "Microsoft.Resources/deployments";

    private ArmTemplate(JsonDocument document) => Root = document.RootElement;

    public JsonElement Root { get; }

    public static ArmTemplate Parse(string json) => new(JsonDocument.Parse(json));

    /// <summary>Every resource at every depth, module deployments included.</summary>
    public IReadOnlyList<ArmResource> Resources => _resources ??= Walk(Root, "main").ToList();

    private IReadOnlyList<ArmResource>? _resources;

    /// <summary>The template of every level: the main one and each module's.</summary>
    public IEnumerable<(string DeploymentPath, JsonElement Template)> Templates()
    {
        yield return ("main", Root);
        foreach (var deployment in Resources.Where(resource => resource.Type == DeploymentType))
        {
            yield return ($"{deployment.DeploymentPath}/{deployment.Name}", deployment.Properties.GetProperty("template"));
        }
    }

    public IEnumerable<ArmResource> OfType(string type) =>
        Resources.Where(resource => string.Equals(resource.Type, type, StringComparison.OrdinalIgnoreCase));

    public ArmResource SingleOfType(string type) => Assert.Single(OfType(type));

    /// <summary>The module deployment of that name (e.g. <c>rbac</c>).</summary>
    public ArmResource Module(string name) =>
        Assert.Single(OfType(DeploymentType), deployment => deployment.Name == name);

    private static IEnumerable<ArmResource> Walk(JsonElement template, string deploymentPath)
    {
        if (!template.TryGetProperty("resources", out var resources))
        {
            yield break;
        }

        // Templates with languageVersion 2.0 hold resources in an object keyed by symbolic name.
        var items = resources.ValueKind == JsonValueKind.Object
            ? resources.EnumerateObject().Select(property => property.Value)
            : resources.EnumerateArray();

        foreach (var element in items)
        {
            if (element.TryGetProperty("existing", out var existing) && existing.ValueKind == JsonValueKind.True)
            {
                continue;
            }

            var resource = new ArmResource(element, template, deploymentPath);
            yield return resource;

            if (resource.Type == DeploymentType
                && resource.Properties.TryGetProperty("template", out var nested))
            {
                foreach (var inner in Walk(nested, $"{deploymentPath}/{resource.Name}"))
                {
                    yield return inner;
                }
            }
        }
    }
}
