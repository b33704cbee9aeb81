using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Reflection;

namespace ServerlessRec.Cli.Settings;

/// <summary>
/// The rules of one setting, read from the DataAnnotations of its options class: the CLI states and checks the ranges
/// the hosts validate with <c>ValidateDataAnnotations</c>, and never keeps its own copy.
/// </summary>
internal static class SettingRules
{
    /// <summary>Returns the <see cref="RangeAttribute"/> of a property, if it has one.</summary>
    public static RangeAttribute? Range(PropertyInfo property) => property.GetCustomAttribute<RangeAttribute>();

    /// <summary>Formats a range as the README and <c>--help</c> state it: <c>4–1024</c>.</summary>
    public static string Format(RangeAttribute range)
    {
        ArgumentNullException.ThrowIfNull(range);
        return $"{Format(range.Minimum)}–{Format(range.Maximum)}";
    }

    /// <summary>Formats a value (a default, a bound) the one way the CLI and the README show it.</summary>
    public static string Format(object? value) => value switch
    {
        null => "(none)",
        bool b => b ? "true" : "false",
        TimeSpan t => t.ToString("c", CultureInfo.InvariantCulture),
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        float f => f.ToString("R", CultureInfo.InvariantCulture),
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? string.Empty,
    };

    /// <summary>
    /// Checks a value against the property's validation attributes.
    /// </summary>
    /// <returns>Null when valid; otherwise what is wrong, e.g. <c>must be between 4 and 1024, got 2000</c>.</returns>
    public static string? Check(PropertyInfo property, object? value)
    {
        ArgumentNullException.ThrowIfNull(property);
        foreach (var attribute in property.GetCustomAttributes<ValidationAttribute>())
        {
            if (attribute.IsValid(value))
            {
                continue;
            }

            return attribute is RangeAttribute range
                ? $"must be between {Format(range.Minimum)} and {Format(range.Maximum)}, got {Format(value)}"
                : $"is not valid ({attribute.FormatErrorMessage(property.Name)}), got {Format(value)}";
        }

        return null;
    }

    /// <summary>
    /// Validates a bound options object: each property's attributes, then the class's own rules
    /// (<see cref="IValidatableObject"/>).
    /// </summary>
    /// <param name="options">The options.</param>
    /// <param name="nameOf">How to name a property in a message: its flag, or its <c>Section:Key</c>.</param>
    /// <returns>One message per broken rule.</returns>
    public static IReadOnlyList<string> Validate(object options, Func<PropertyInfo, string> nameOf)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(nameOf);
        var errors = new List<string>();
        foreach (var property in options.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (property.CanRead && property.GetIndexParameters().Length == 0 && Check(property, property.GetValue(options)) is { } error)
            {
                errors.Add($"{nameOf(property)} {error}.");
            }
        }

        if (errors.Count == 0 && options is IValidatableObject validatable)
        {
            errors.AddRange(validatable.Validate(new ValidationContext(options)).Select(r => r.ErrorMessage ?? "is not valid."));
        }

        return errors;
    }
}
