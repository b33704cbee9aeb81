using System.Globalization;
using Microsoft.Extensions.Configuration;

namespace ServerlessRec.Cli;

/// <summary>
/// The options of one command line: <c>--name value</c>, <c>--name=value</c>, repeated options and
/// <c>--flag</c> switches. Every option must be read, so a misspelt one is an error, not ignored.
/// </summary>
internal sealed class CliArguments
{
    private readonly Dictionary<string, List<string>> _values = new(StringComparer.Ordinal);
    private readonly HashSet<string> _read = new(StringComparer.Ordinal);

    private CliArguments(IReadOnlyList<string> positional, IConfiguration configuration)
    {
        Positional = positional;
        Configuration = configuration;
    }

    public IReadOnlyList<string> Positional { get; }

    /// <summary>Gets the configuration of the run (<see cref="CliConfiguration"/>): which store and index the command uses.</summary>
    public IConfiguration Configuration { get; }

    /// <summary>Parses a command line; <paramref name="configuration"/> defaults to <see cref="CliConfiguration.Empty"/> (local folder, embedded index).</summary>
    public static CliArguments Parse(IReadOnlyList<string> args, IConfiguration? configuration = null)
    {
        var positional = new List<string>();
        var pending = new List<(string Name, string? Value)>();
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (!arg.StartsWith("--", StringComparison.Ordinal) || arg.Length == 2)
            {
                positional.Add(arg);
                continue;
            }

            var eq = arg.IndexOf('=', StringComparison.Ordinal);
            if (eq > 0)
            {
                pending.Add((arg[2..eq], arg[(eq + 1)..]));
            }
            else if (i + 1 < args.Count && !args[i + 1].StartsWith("--", StringComparison.Ordinal))
            {
                pending.Add((arg[2..], args[++i]));
            }
            else
            {
                pending.Add((arg[2..], null));
            }
        }

        var result = new CliArguments(positional, configuration ?? CliConfiguration.Empty);
        foreach (var (name, value) in pending)
        {
            if (!result._values.TryGetValue(name, out var list))
            {
                result._values[name] = list = [];
            }

            list.Add(value ?? string.Empty);
        }

        return result;
    }

    public bool Has(string name)
    {
        _read.Add(name);
        return _values.ContainsKey(name);
    }

    public bool Flag(string name)
    {
        _read.Add(name);
        if (!_values.TryGetValue(name, out var list))
        {
            return false;
        }

        var last = list[^1];
        return last.Length == 0 || last is "true" or "1" or "yes"
            ? true
            : last is "false" or "0" or "no" ? false : throw new CliUsageException($"--{name} takes no value (or true/false), got \"{last}\".");
    }

    public string? String(string name)
    {
        _read.Add(name);
        if (!_values.TryGetValue(name, out var list))
        {
            return null;
        }

        var value = list[^1];
        return value.Length == 0 ? throw new CliUsageException($"--{name} needs a value.") : value;
    }

    public string String(string name, string defaultValue) => String(name) ?? defaultValue;

    public string RequiredString(string name) => String(name) ?? throw new CliUsageException($"--{name} is required.");

    public IReadOnlyList<string> All(string name)
    {
        _read.Add(name);
        return _values.TryGetValue(name, out var list) ? list : [];
    }

    public int Int(string name, int defaultValue, int min = int.MinValue, int max = int.MaxValue) =>
        (int)Long(name, defaultValue, min, max);

    public long Long(string name, long defaultValue, long min = long.MinValue, long max = long.MaxValue)
    {
        var text = String(name);
        if (text is null)
        {
            return defaultValue;
        }

        if (!long.TryParse(text.Replace("_", string.Empty, StringComparison.Ordinal), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value))
        {
            throw new CliUsageException($"--{name} must be a whole number, got \"{text}\".");
        }

        return value < min || value > max
            ? throw new CliUsageException($"--{name} must be between {min} and {max}, got {value}.")
            : value;
    }

    public double Double(string name, double defaultValue, double min = double.MinValue, double max = double.MaxValue)
    {
        var text = String(name);
        if (text is null)
        {
            return defaultValue;
        }

        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !double.IsFinite(value))
        {
            throw new CliUsageException($"--{name} must be a number, got \"{text}\".");
        }

        return value < min || value > max
            ? throw new CliUsageException($"--{name} must be between {min} and {max}, got {value}.")
            : value;
    }

    /// <summary>Fails on any option the command did not read: a misspelt option must not be ignored.</summary>
    public void EnsureAllRead()
    {
        var unknown = _values.Keys.Where(k => !_read.Contains(k)).Order(StringComparer.Ordinal).ToList();
        if (unknown.Count > 0)
        {
            throw new CliUsageException($"unknown option{(unknown.Count > 1 ? "s" : string.Empty)}: {string.Join(", ", unknown.Select(u => "--" + u))}");
        }
    }
}

/// <summary>A command line that cannot be run as given; printed without a stack trace, exit code 2.</summary>
internal sealed class CliUsageException(string message) : Exception(message);
