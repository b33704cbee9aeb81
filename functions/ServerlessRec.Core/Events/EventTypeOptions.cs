namespace ServerlessRec.Events;

/// <summary>
/// The configured event types, bound from the <c>EventTypes</c> configuration section. Unknown types are
/// rejected at ingestion (quarantined), so a typo in a producer is visible, not silently weighted.
/// </summary>
public sealed class EventTypeOptions
{
    /// <summary>The configuration section name.</summary>
    public const string SectionName = "EventTypes";

    /// <summary>Gets the types by name (case-insensitive).</summary>
    /// <value>The default is view 1, click 2, like 4, purchase 8, rating (weight = value), skip and dislike negative.</value>
    public Dictionary<string, EventTypeDefinition> Types { get; init; } = CreateDefaultTypes();

    /// <summary>Creates the default set of types.</summary>
    public static Dictionary<string, EventTypeDefinition> CreateDefaultTypes() => new(StringComparer.OrdinalIgnoreCase)
    {
        ["view"] = new() { Weight = 1f },
        ["click"] = new() { Weight = 2f },
        ["like"] = new() { Weight = 4f },
        ["purchase"] = new() { Weight = 8f },
        ["rating"] = new() { Weight = 1f, ScaleByValue = true },
        ["skip"] = new() { Weight = 0f, Negative = true },
        ["dislike"] = new() { Weight = 0f, Negative = true },
    };

    /// <summary>Returns whether <paramref name="type"/> is configured.</summary>
    public bool IsKnown(string type) => Types.ContainsKey(type);

    /// <summary>
    /// Classifies one event: its history weight (0 for negatives) and whether it is negative.
    /// Returns <see langword="false"/> when the type is not configured.
    /// </summary>
    public bool TryClassify(string type, double? value, out float weight, out bool negative)
    {
        if (!Types.TryGetValue(type, out var definition))
        {
            weight = 0f;
            negative = false;
            return false;
        }

        negative = definition.Negative || (definition.NegativeBelow is { } threshold && value is { } v && v < threshold);
        if (negative)
        {
            weight = 0f;
            return true;
        }

        weight = definition.ScaleByValue && value is { } scale ? definition.Weight * (float)Math.Max(scale, 0.0) : definition.Weight;
        return true;
    }
}
