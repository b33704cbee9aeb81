using System.Text.Json;

namespace ServerlessRec.Infra.Tests.Arm;

internal static class JsonElementExtensions
{
    /// <summary>Follows a dotted path of object properties; null where one is missing.</summary>
    public static JsonElement? FindPath(this JsonElement element, string dottedPath)
    {
        var current = element;
        foreach (var segment in dottedPath.Split('.'))
        {
            if (current.ValueKind != JsonValueKind.Object || !current.TryGetProperty(segment, out current))
            {
                return null;
            }
        }

        return current;
    }

    /// <summary>Every string anywhere under the element, property names excluded.</summary>
    public static IEnumerable<string> AllStrings(this JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.String:
                yield return element.GetString()!;
                break;
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    foreach (var value in property.Value.AllStrings())
                    {
                        yield return value;
                    }
                }

                break;
            case JsonValueKind.Array:
                foreach (var item in element.EnumerateArray())
                {
                    foreach (var value in item.AllStrings())
                    {
                        yield return value;
                    }
                }

                break;
        }
    }
}
