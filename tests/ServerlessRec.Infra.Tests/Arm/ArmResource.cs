using System.Text.Json;
using System.Text.RegularExpressions;

namespace ServerlessRec.Infra.Tests.Arm;

/// <summary>
/// One resource of a compiled ARM template, with the (nested) template that declares it so that its
/// <c>variables('…')</c> and <c>parameters('…')</c> can be read.
/// </summary>
public sealed partial record ArmResource(JsonElement Element, JsonElement Template, string DeploymentPath)
{
    public string Type => Element.GetProperty("type").GetString()!;

    public string Name => Element.GetProperty("name").GetString()!;

    public JsonElement Properties => Element.GetProperty("properties");

    /// <summary>Gets the value at a dotted path (<c>properties.siteConfig.minTlsVersion</c>), or null.</summary>
    public JsonElement? Find(string dottedPath) => Element.FindPath(dottedPath);

    /// <summary>Replaces <c>variables('x')</c> holding strings with their quoted values.</summary>
    public string ResolveVariables(string expression)
    {
        if (!Template.TryGetProperty("variables", out var variables))
        {
            return expression;
        }

        return VariableReference().Replace(expression, match =>
            variables.TryGetProperty(match.Groups["name"].Value, out var value) && value.ValueKind == JsonValueKind.String
                ? $"'{value.GetString()}'"
                : match.Value);
    }

    /// <summary>The resource's deployment condition with variables resolved to their expressions, or null.</summary>
    public string? ResolveCondition()
    {
        var condition = Element.TryGetProperty("condition", out var value) ? value.GetString() : null;
        if (condition is null || !Template.TryGetProperty("variables", out var variables))
        {
            return condition;
        }

        // A condition such as [variables('assignUser')] points at a variable holding the expression.
        var match = VariableReference().Match(condition);
        return match.Success
            && condition == $"[{match.Value}]"
            && variables.TryGetProperty(match.Groups["name"].Value, out var inner)
            && inner.ValueKind == JsonValueKind.String
                ? inner.GetString()
                : condition;
    }

    [GeneratedRegex(@"variables\('(?<name>[^']+)'\)")]
    private static partial Regex VariableReference();
}
