using System.CommandLine;
using Microsoft.Extensions.Configuration;
using ServerlessRec.Events;

namespace ServerlessRec.Cli.Settings;

/// <summary>
/// <c>--event-types FILE</c> on the commands that read events: the event types of the run are the <c>EventTypes</c>
/// section of the configuration (as the Functions app binds it), then the same section of the file, which wins key by
/// key. A bad value is a usage error naming the setting.
/// </summary>
internal sealed class EventTypesOption
{
    private const string Example = """{"EventTypes": {"Types": {"rating": {"NegativeBelow": 2.5}}}}""";

    private readonly CliContext _context;

    public EventTypesOption(CliContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        _context = context;
        Option = new Option<string>("--event-types")
        {
            Description = $"A JSON file with an {EventTypeOptions.SectionName} section, the shape of appsettings.json (e.g. {Example}); its values win over the configuration's.",
            HelpName = "FILE",
        };
    }

    /// <summary>Gets the option, to add to a command.</summary>
    public Option<string> Option { get; }

    /// <summary>Reads the event types of the run.</summary>
    public EventTypeOptions Read(ParseResult parse)
    {
        ArgumentNullException.ThrowIfNull(parse);
        return Read(_context.Configuration, parse.GetValue(Option));
    }

    /// <summary>Reads the event types: the configuration's <c>EventTypes</c> section, then the file's, both over the defaults.</summary>
    /// <param name="configuration">The run's configuration.</param>
    /// <param name="file">The <c>--event-types</c> file, or null.</param>
    public static EventTypeOptions Read(IConfiguration configuration, string? file)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var options = new EventTypeOptions();
        Bind(configuration.GetSection(EventTypeOptions.SectionName), options, $"the {EventTypeOptions.SectionName} settings");
        if (file is not null)
        {
            if (!File.Exists(file))
            {
                throw new CliUsageException($"--event-types: file \"{file}\" does not exist.");
            }

            IConfiguration fromFile;
            try
            {
                fromFile = new ConfigurationBuilder().AddJsonFile(Path.GetFullPath(file), optional: false, reloadOnChange: false).Build();
            }
            catch (InvalidDataException ex)
            {
                throw new CliUsageException($"--event-types: \"{file}\" is not a JSON settings file ({ex.InnerException?.Message ?? ex.Message})");
            }

            var section = fromFile.GetSection(EventTypeOptions.SectionName);
            if (!section.Exists())
            {
                throw new CliUsageException($"--event-types: \"{file}\" has no \"{EventTypeOptions.SectionName}\" section; write e.g. {Example}");
            }

            Bind(section, options, $"--event-types \"{file}\"");
        }

        var errors = Settings.SettingRules.Validate(options, p => $"{EventTypeOptions.SectionName}:{p.Name}");
        return errors.Count == 0 ? options : throw new CliUsageException(string.Join(" ", errors));
    }

    private static void Bind(IConfiguration section, EventTypeOptions options, string source)
    {
        try
        {
            options.Bind(section);
        }
        catch (InvalidOperationException ex)
        {
            throw new CliUsageException($"{source} cannot be read: {ex.Message}");
        }
    }
}
