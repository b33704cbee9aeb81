using System.CommandLine;
using System.Globalization;
using System.Numerics;

namespace ServerlessRec.Cli.Settings;

/// <summary>Options of a command's own (not settings of an options class: those are <see cref="SettingFlags{TOptions}"/>).</summary>
internal static class CliOptions
{
    /// <summary>A number with a default and an inclusive range, checked as the command line is parsed.</summary>
    public static Option<T> Number<T>(string name, string description, T defaultValue, T min, T max)
        where T : struct, INumber<T>
    {
        var option = new Option<T>(name)
        {
            Description = string.Create(CultureInfo.InvariantCulture, $"{description} ({min}–{max})"),
            DefaultValueFactory = _ => defaultValue,
        };
        option.Validators.Add(result =>
        {
            if (!result.Implicit && !result.Errors.Any() && result.GetValueOrDefault<T>() is var value && (value < min || value > max))
            {
                result.AddError(string.Create(CultureInfo.InvariantCulture, $"{name} must be between {min} and {max}, got {value}."));
            }
        });
        return option;
    }

    /// <summary>A number with a default and a lower bound.</summary>
    public static Option<T> Number<T>(string name, string description, T defaultValue, T min)
        where T : struct, INumber<T>, IMinMaxValue<T> => Number(name, description, defaultValue, min, T.MaxValue);
}
