using System.CommandLine;
using System.CommandLine.Parsing;
using System.Reflection;
using Microsoft.Extensions.Configuration;

namespace ServerlessRec.Cli.Settings;

/// <summary>
/// Command-line flags for the settings of one options class of Core (the class the hosts bind with
/// <c>BindConfiguration(...).ValidateDataAnnotations()</c>). Each flag takes from the class all it knows: its default
/// (the property initialiser, overridden by the configuration section: appsettings.json, environment), its description
/// (the property's XML summary) and its range (the DataAnnotations). A flag given on the command line wins over the
/// configuration. <see cref="Bind"/> returns the options with every rule of the class checked.
/// </summary>
/// <typeparam name="TOptions">The options class.</typeparam>
internal sealed class SettingFlags<TOptions>
    where TOptions : class, new()
{
    private readonly CliContext _context;
    private readonly Func<TOptions> _baseline;
    private readonly List<Flag> _flags = [];

    /// <summary>Creates the flag set of one section.</summary>
    /// <param name="context">The run: its configuration gives the defaults.</param>
    /// <param name="section">The configuration section the hosts bind the class from (its <c>SectionName</c>).</param>
    /// <param name="baseline">The values before configuration (a command's own starting point, e.g. a smaller model for <c>simulate</c>); the class defaults when null.</param>
    public SettingFlags(CliContext context, string section, Func<TOptions>? baseline = null)
    {
        ArgumentNullException.ThrowIfNull(context);
        _context = context;
        Section = section;
        _baseline = baseline ?? (() => new TOptions());
    }

    /// <summary>Gets the configuration section.</summary>
    public string Section { get; }

    /// <summary>Gets the options, to add to a command.</summary>
    public IEnumerable<Option> Options => _flags.Select(f => f.Option);

    /// <summary>Gets each flag with the property it sets (the README table test reads them).</summary>
    public IEnumerable<(string Flag, PropertyInfo Property)> Settings => _flags.Select(f => (f.Option.Name, f.Property));

    /// <summary>Adds a flag for a property: <c>--dim</c> for <c>Dimensions</c>.</summary>
    /// <typeparam name="TValue">The property's type.</typeparam>
    /// <param name="flag">The flag, with its dashes.</param>
    /// <param name="property">The property name (<c>nameof</c>).</param>
    /// <param name="parser">A parser for values the type's own conversion does not read (e.g. <c>softmax</c> for a loss); null for the usual conversion.</param>
    /// <param name="helpName">The value's name in <c>--help</c>.</param>
    public Option<TValue> Add<TValue>(string flag, string property, Func<ArgumentResult, TValue>? parser = null, string? helpName = null)
    {
        var info = PropertyOf(property, typeof(TValue));
        var option = new Option<TValue>(flag)
        {
            Description = Describe(info),
            DefaultValueFactory = _ => (TValue)info.GetValue(DefaultsForHelp())!,
            HelpName = helpName,
        };
        if (parser is not null)
        {
            option.CustomParser = parser;
        }

        option.Validators.Add(result =>
        {
            if (result.Implicit || result.Errors.Any())
            {
                return;
            }

            TValue value;
            try
            {
                value = result.GetValueOrDefault<TValue>();
            }
            catch (InvalidOperationException)
            {
                // The value could not be converted: System.CommandLine reports that error itself.
                return;
            }

            if (SettingRules.Check(info, value) is { } error)
            {
                result.AddError($"{flag} {error} ({Section}:{info.Name}).");
            }
        });
        _flags.Add(new Flag(option, info, (options, parse) => info.SetValue(options, parse.GetValue(option))));
        return option;
    }

    /// <summary>Adds a switch that turns a boolean setting off (<c>--no-logq</c> for <c>LogQCorrection</c>).</summary>
    public Option<bool> AddOffSwitch(string flag, string property)
    {
        var info = PropertyOf(property, typeof(bool));
        var option = new Option<bool>(flag) { Description = $"Sets {Section}:{info.Name} to false. {Describe(info)}" };
        _flags.Add(new Flag(option, info, (options, parse) =>
        {
            if (parse.GetValue(option))
            {
                info.SetValue(options, false);
            }
        }));
        return option;
    }

    /// <summary>Adds the flags to a command.</summary>
    public void AddTo(Command command)
    {
        ArgumentNullException.ThrowIfNull(command);
        foreach (var flag in _flags)
        {
            command.Options.Add(flag.Option);
        }
    }

    /// <summary>
    /// Binds the options: the baseline, then the configuration section, then the flags given. Every rule of the class
    /// is checked; a broken one is a usage error naming the flag, or the <c>Section:Key</c> when the value came from the
    /// configuration.
    /// </summary>
    public TOptions Bind(ParseResult parse)
    {
        ArgumentNullException.ThrowIfNull(parse);
        var options = Configured();
        var given = new Dictionary<PropertyInfo, string>();
        foreach (var flag in _flags)
        {
            if (parse.GetResult(flag.Option) is { Implicit: false })
            {
                flag.Apply(options, parse);
                given[flag.Property] = flag.Option.Name;
            }
        }

        var errors = SettingRules.Validate(options, p => given.TryGetValue(p, out var name) ? name : $"{Section}:{p.Name}");
        return errors.Count == 0 ? options : throw new CliUsageException(string.Join(" ", errors));
    }

    /// <summary>The baseline with the configuration section bound over it.</summary>
    private TOptions Configured()
    {
        var options = _baseline();
        try
        {
            _context.Configuration.GetSection(Section).Bind(options);
        }
        catch (InvalidOperationException ex)
        {
            throw new CliUsageException($"the {Section} settings cannot be read: {ex.Message}");
        }

        return options;
    }

    /// <summary>The defaults <c>--help</c> shows: configured ones, or the baseline when the configuration cannot be read (<see cref="Bind"/> reports that).</summary>
    private TOptions DefaultsForHelp()
    {
        try
        {
            return Configured();
        }
        catch (CliUsageException)
        {
            return _baseline();
        }
    }

    private string Describe(PropertyInfo property)
    {
        var range = SettingRules.Range(property) is { } r ? $"; {SettingRules.Format(r)}" : string.Empty;
        return $"{_context.Docs.Summary(property)} ({Section}:{property.Name}{range})".TrimStart();
    }

    private static PropertyInfo PropertyOf(string property, Type type)
    {
        var info = typeof(TOptions).GetProperty(property, BindingFlags.Public | BindingFlags.Instance)
            ?? throw new ArgumentException($"{typeof(TOptions).Name} has no property {property}.", nameof(property));
        return info.PropertyType == type && info.CanWrite
            ? info
            : throw new ArgumentException($"{typeof(TOptions).Name}.{property} is a settable {info.PropertyType.Name}, not {type.Name}.", nameof(property));
    }

    private sealed record Flag(Option Option, PropertyInfo Property, Action<TOptions, ParseResult> Apply);
}
