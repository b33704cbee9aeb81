using System.ComponentModel.DataAnnotations;
using System.Globalization;
using Microsoft.Extensions.Configuration;

namespace ServerlessRec.Events;

/// <summary>
/// The configured event types, bound from the <c>EventTypes</c> configuration section. Unknown types are
/// rejected at ingestion (quarantined), so a typo in a producer is visible, not silently weighted.
/// </summary>
/// <remarks>
/// Configuration adds types or changes the defaults key by key: <c>EventTypes:Types:rating:NegativeBelow=2.5</c> keeps
/// the other settings of <c>rating</c> and every other default type.
/// </remarks>
public sealed class EventTypeOptions : IValidatableObject
{
    /// <summary>The configuration section name.</summary>
    public const string SectionName = "EventTypes";

    /// <summary>Gets the types by name (case-insensitive).</summary>
    /// <value>The default is view 1, click 2, like 4, purchase 8, rating (weight = value), skip and dislike negative, impression exposure only.</value>
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
        [ImpressionType] = new() { Weight = 0f, Exposure = true },
    };

    /// <summary>The default exposure type: an item shown to a user (<see cref="EventTypeDefinition.Exposure"/>).</summary>
    public const string ImpressionType = "impression";

    /// <summary>Returns whether <paramref name="type"/> is configured as an exposure type (never training input, never history).</summary>
    public bool IsExposure(string type) => Types.TryGetValue(type, out var definition) && definition.Exposure;

    /// <summary>Returns whether <paramref name="type"/> is configured.</summary>
    public bool IsKnown(string type) => Types.ContainsKey(type);

    /// <summary>
    /// Classifies one event: its history weight (0 for negatives) and whether it is negative.
    /// Returns <see langword="false"/> when the type is not configured.
    /// </summary>
    public bool TryClassify(string type, double? value, out float weight, out bool negative) => TryClassify(type, value, out weight, out negative, out _);

    /// <summary>
    /// Classifies one event as <see cref="TryClassify(string, double?, out float, out bool)"/> does, and says whether its
    /// type is an exposure type (an impression: weight 0, not negative, to be skipped by training and histories).
    /// </summary>
    public bool TryClassify(string type, double? value, out float weight, out bool negative, out bool exposure)
    {
        if (!Types.TryGetValue(type, out var definition))
        {
            weight = 0f;
            negative = false;
            exposure = false;
            return false;
        }

        exposure = definition.Exposure;
        if (exposure)
        {
            // Shown, not chosen or refused: it says nothing about the user's taste.
            weight = 0f;
            negative = false;
            return true;
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

    /// <summary>
    /// Binds the <c>EventTypes</c> section over these types, type by type: a value that cannot be converted or a misspelt
    /// key is an error naming the setting (the configuration binder skips a dictionary entry it cannot bind, so
    /// <c>NegativeBelow: "low"</c> would otherwise be dropped without a word).
    /// </summary>
    /// <param name="section">The <c>EventTypes</c> section.</param>
    /// <exception cref="InvalidOperationException">A key is not a setting, or a value cannot be converted.</exception>
    public void Bind(IConfiguration section)
    {
        ArgumentNullException.ThrowIfNull(section);
        foreach (var child in section.GetChildren())
        {
            if (!string.Equals(child.Key, nameof(Types), StringComparison.OrdinalIgnoreCase))
            {
                throw new InvalidOperationException($"{child.Path} is not a setting; event types go under {SectionName}:{nameof(Types)}:<type> (e.g. {SectionName}:{nameof(Types)}:rating:NegativeBelow).");
            }
        }

        foreach (var child in section.GetSection(nameof(Types)).GetChildren())
        {
            if (!Types.TryGetValue(child.Key, out var definition))
            {
                Types[child.Key] = definition = new EventTypeDefinition();
            }

            child.Bind(definition, binder => binder.ErrorOnUnknownConfiguration = true);
        }
    }

    /// <summary>Checks every type: a name, and each definition's settings within their ranges; messages name the setting.</summary>
    /// <param name="validationContext">The validation context.</param>
    /// <returns>One result per bad setting, e.g. <c>EventTypes:Types:rating:NegativeBelow must be a finite number</c>.</returns>
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        foreach (var (name, definition) in Types)
        {
            var key = $"{SectionName}:{nameof(Types)}:{name}";
            if (string.IsNullOrWhiteSpace(name) || name.Length > 64 || name.Any(char.IsControl))
            {
                yield return new ValidationResult($"{key}: a type name must be 1–64 characters with no control characters.", [nameof(Types)]);
                continue;
            }

            if (definition is null)
            {
                yield return new ValidationResult($"{key} has no settings.", [nameof(Types)]);
                continue;
            }

            var errors = new List<ValidationResult>();
            Validator.TryValidateObject(definition, new ValidationContext(definition), errors, validateAllProperties: true);
            foreach (var error in errors)
            {
                var member = error.MemberNames.FirstOrDefault() ?? string.Empty;
                var value = typeof(EventTypeDefinition).GetProperty(member)?.GetValue(definition);
                yield return new ValidationResult(string.Create(CultureInfo.InvariantCulture, $"{key}:{member}: {error.ErrorMessage} Got {value}."), [nameof(Types)]);
            }

            if (definition.Exposure && (definition.Negative || definition.NegativeBelow is not null))
            {
                yield return new ValidationResult($"{key}: an {nameof(EventTypeDefinition.Exposure)} type is neither positive nor negative; remove {nameof(EventTypeDefinition.Negative)} and {nameof(EventTypeDefinition.NegativeBelow)}.", [nameof(Types)]);
            }

            if (definition.NegativeBelow is { } threshold && !double.IsFinite(threshold))
            {
                yield return new ValidationResult(string.Create(CultureInfo.InvariantCulture, $"{key}:{nameof(EventTypeDefinition.NegativeBelow)} must be a finite number, got {threshold}."), [nameof(Types)]);
            }
        }
    }
}
