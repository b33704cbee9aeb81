using Microsoft.Extensions.Configuration;
using ServerlessRec.Azure.Storage;
using ServerlessRec.Storage;

namespace ServerlessRec.Cli;

/// <summary>
/// The configuration every command reads, from the same sources as the Functions app: <c>appsettings.json</c>
/// (optional, in the current folder), then environment variables (<c>Storage__Provider</c>,
/// <c>Storage__ConnectionString</c>, <c>Storage__BlobServiceUri</c>, <c>Search__Provider</c>, …), which win.
/// </summary>
internal static class CliConfiguration
{
    /// <summary>The optional settings file read from the current folder.</summary>
    public const string SettingsFile = "appsettings.json";

    /// <summary>A configuration with nothing set: every option at its default (the local folder store, the embedded index).</summary>
    public static IConfiguration Empty { get; } = new ConfigurationBuilder().Build();

    /// <summary>Builds the configuration of one CLI run.</summary>
    /// <param name="folder">The folder holding <see cref="SettingsFile"/> (the current folder by default).</param>
    /// <param name="environment">Whether environment variables are read (tests turn it off).</param>
    public static IConfiguration Build(string? folder = null, bool environment = true)
    {
        var builder = new ConfigurationBuilder()
            .SetBasePath(Path.GetFullPath(folder ?? Environment.CurrentDirectory))
            .AddJsonFile(SettingsFile, optional: true, reloadOnChange: false);
        if (environment)
        {
            builder.AddEnvironmentVariables();
        }

        try
        {
            return builder.Build();
        }
        catch (InvalidDataException ex)
        {
            throw new CliUsageException($"{SettingsFile} cannot be read: {ex.Message}");
        }
    }

    /// <summary>
    /// Opens the store the configuration names. <paramref name="root"/> (<c>--root DIR</c>) sets the local folder; it is
    /// refused when the configuration selects Azure Blob Storage, so a command never silently writes somewhere else than asked.
    /// </summary>
    /// <returns>The store and one line saying which store it is (no secrets).</returns>
    public static CliStore OpenStore(IConfiguration configuration, string? root)
    {
        var options = ReadStorageOptions(configuration);
        if (root is not null)
        {
            if (options.Provider != StorageProvider.Local)
            {
                throw new CliUsageException($"--root names a local folder, but the configuration sets Storage:Provider to {options.Provider} (Storage__Provider or {SettingsFile}); drop --root, or unset the provider to use a local folder.");
            }

            options.LocalRoot = root;
        }

        IBlobStore store;
        try
        {
            store = BlobStoreFactory.Create(options);
        }
        catch (InvalidOperationException ex)
        {
            throw new CliUsageException(ex.Message);
        }
        catch (FormatException ex)
        {
            throw new CliUsageException($"Storage:ConnectionString is not a valid connection string ({ex.Message})");
        }

        return new CliStore(store, options, BlobStoreFactory.Describe(options));
    }

    /// <summary>Binds and validates the <c>Storage</c> section.</summary>
    public static StorageOptions ReadStorageOptions(IConfiguration configuration) => ReadOptions<StorageOptions>(configuration, StorageOptions.SectionName);

    /// <summary>Binds one section to its options class and checks its DataAnnotations; a bad setting is a usage error naming it.</summary>
    public static T ReadOptions<T>(IConfiguration configuration, string section)
        where T : new()
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var options = new T();
        try
        {
            configuration.GetSection(section).Bind(options);
        }
        catch (InvalidOperationException ex)
        {
            throw new CliUsageException($"the {section} settings cannot be read: {ex.Message}");
        }

        // The same rules the hosts check (ValidateDataAnnotations), each message naming its Section:Key.
        var errors = Settings.SettingRules.Validate(options, p => $"{section}:{p.Name}");
        return errors.Count == 0 ? options : throw new CliUsageException(string.Join(" ", errors));
    }
}
