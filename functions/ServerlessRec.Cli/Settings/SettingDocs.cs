using System.Reflection;
using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace ServerlessRec.Cli.Settings;

/// <summary>
/// The one-line description of a setting, taken from the XML documentation of its options class (the summary written
/// once, on the property), so <c>--help</c> says what the code's documentation says.
/// </summary>
internal sealed partial class SettingDocs
{
    private readonly Dictionary<Assembly, Dictionary<string, string>> _byAssembly = [];

    /// <summary>Returns the summary of a property without its "Gets or sets" opening, or an empty string when the documentation file is missing.</summary>
    public string Summary(PropertyInfo property)
    {
        ArgumentNullException.ThrowIfNull(property);
        var assembly = property.DeclaringType!.Assembly;
        if (!_byAssembly.TryGetValue(assembly, out var members))
        {
            _byAssembly[assembly] = members = Load(assembly);
        }

        return members.TryGetValue($"P:{property.DeclaringType.FullName}.{property.Name}", out var summary) ? summary : string.Empty;
    }

    private static Dictionary<string, string> Load(Assembly assembly)
    {
        var path = Path.ChangeExtension(assembly.Location, ".xml");
        var members = new Dictionary<string, string>(StringComparer.Ordinal);
        if (string.IsNullOrEmpty(assembly.Location) || !File.Exists(path))
        {
            return members;
        }

        foreach (var member in XDocument.Load(path).Descendants("member"))
        {
            if (member.Attribute("name")?.Value is { } name && name.StartsWith("P:", StringComparison.Ordinal) && member.Element("summary") is { } summary)
            {
                members[name] = Clean(summary);
            }
        }

        return members;
    }

    private static string Clean(XElement summary)
    {
        var text = string.Concat(summary.Nodes().Select(node => node switch
        {
            XText t => t.Value,
            XElement { Name.LocalName: "see" } see => see.Attribute("langword")?.Value ?? see.Attribute("cref")?.Value.Split('.')[^1] ?? see.Value,
            XElement e => e.Value,
            _ => string.Empty,
        }));
        text = Whitespace().Replace(text, " ").Trim();
        foreach (var opening in new[] { "Gets or sets a value indicating ", "Gets or sets ", "Gets " })
        {
            if (text.StartsWith(opening, StringComparison.Ordinal))
            {
                text = text[opening.Length..];
                break;
            }
        }

        return text.Length == 0 ? text : char.ToUpperInvariant(text[0]) + text[1..];
    }

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();
}
