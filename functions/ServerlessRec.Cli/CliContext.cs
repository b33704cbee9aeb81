using Microsoft.Extensions.Configuration;
using ServerlessRec.Cli.Settings;

namespace ServerlessRec.Cli;

/// <summary>
/// What every command is built with: the run's configuration (the defaults of the settings flags: see
/// <see cref="SettingFlags{TOptions}"/>), the clock, and the descriptions of the settings.
/// </summary>
internal sealed class CliContext(IConfiguration configuration, TimeProvider time)
{
    /// <summary>Gets the configuration of the run (<see cref="CliConfiguration"/>).</summary>
    public IConfiguration Configuration { get; } = configuration;

    /// <summary>Gets the clock.</summary>
    public TimeProvider Time { get; } = time;

    /// <summary>Gets the descriptions of the options classes' settings (from Core's XML documentation).</summary>
    public SettingDocs Docs { get; } = new();
}
