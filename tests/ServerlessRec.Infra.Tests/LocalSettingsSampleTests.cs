using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Reflection;
using System.Text.Json;
using System.Xml.Linq;
using ServerlessRec.Configuration;
using ServerlessRec.Http;
using ServerlessRec.Pipeline;
using ServerlessRec.Retrieval;
using ServerlessRec.Serving;
using ServerlessRec.Storage;
using ServerlessRec.Training;

namespace ServerlessRec.Infra.Tests;

/// <summary>
/// The committed <c>local.settings.sample.json</c> of the Functions app: every key is one the app (or the Functions
/// host) reads, its values bind and validate, it runs against Azurite with the embedded index, and the real
/// <c>local.settings.json</c> stays out of git. Also the publish configuration of the project.
/// </summary>
public sealed class LocalSettingsSampleTests
{
    private static readonly string FunctionsProjectDirectory = Path.Combine(InfraPaths.RepositoryRoot, "functions", "ServerlessRec.Functions");

    private static readonly string SamplePath = Path.Combine(FunctionsProjectDirectory, "local.settings.sample.json");

    /// <summary>Settings the Functions host (not the app's options) reads locally; in Azure the platform sets them.</summary>
    private static readonly string[] HostSettings = ["AzureWebJobsStorage", "FUNCTIONS_WORKER_RUNTIME"];

    /// <summary>The option classes Program.cs binds, each from its section (a test checks Program.cs still binds them).</summary>
    private static readonly (Type Type, string Section)[] BoundOptions =
    [
        (typeof(StorageOptions), StorageOptions.SectionName),
        (typeof(SearchOptions), SearchOptions.SectionName),
        (typeof(ServingOptions), ServingOptions.SectionName),
        (typeof(AccessOptions), AccessOptions.SectionName),
        (typeof(RetrainOptions), RetrainOptions.SectionName),
        (typeof(TwoTowerOptions), TwoTowerOptions.SectionName),
    ];

    [Fact]
    public void ProgramCs_BoundOptions_AreTheOnesThisTestKnows()
    {
        var program = File.ReadAllText(Path.Combine(FunctionsProjectDirectory, "Program.cs"));

        Assert.All(BoundOptions, options =>
            Assert.Contains($"AddOptions<{options.Type.Name}>().BindConfiguration({options.Type.Name}.SectionName)", program.Replace("\n", string.Empty).Replace(" ", string.Empty), StringComparison.Ordinal));
        Assert.Equal(BoundOptions.Length, program.Split(".BindConfiguration(").Length - 1);
    }

    [Fact]
    public void Sample_EveryKey_IsReadByTheAppOrTheHost()
    {
        var readable = new HashSet<string>(AppSettingNames.All.Concat(HostSettings), StringComparer.OrdinalIgnoreCase);
        foreach (var (type, section) in BoundOptions)
        {
            foreach (var property in SettableProperties(type))
            {
                readable.Add($"{section}__{property.Name}");
            }
        }

        var unknown = SampleValues().Keys.Where(key => !readable.Contains(key)).ToList();

        Assert.True(unknown.Count == 0, $"Not read by the app: {string.Join(", ", unknown)}");
    }

    [Fact]
    public void Sample_OptionValues_BindAndValidate()
    {
        var values = SampleValues();

        foreach (var (type, section) in BoundOptions)
        {
            var options = Activator.CreateInstance(type)!;
            foreach (var property in SettableProperties(type))
            {
                if (values.TryGetValue($"{section}__{property.Name}", out var text))
                {
                    var converter = TypeDescriptor.GetConverter(property.PropertyType);
                    property.SetValue(options, converter.ConvertFromInvariantString(text));
                }
            }

            var results = new List<ValidationResult>();
            var valid = Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true);

            Assert.True(valid, $"{section}: {string.Join("; ", results.Select(r => r.ErrorMessage))}");
        }
    }

    [Fact]
    public void Sample_Storage_IsAzuriteWithTheEmbeddedIndex()
    {
        var values = SampleValues();

        Assert.Equal("UseDevelopmentStorage=true", values["AzureWebJobsStorage"]);
        Assert.Equal("dotnet-isolated", values["FUNCTIONS_WORKER_RUNTIME"]);
        Assert.Equal(nameof(StorageProvider.AzureBlob), values[AppSettingNames.StorageProvider]);
        Assert.Equal("UseDevelopmentStorage=true", values["Storage__ConnectionString"]);
        Assert.DoesNotContain(AppSettingNames.StorageBlobServiceUri, values.Keys);
        Assert.Equal(nameof(SearchProviderKind.Embedded), values[AppSettingNames.SearchProvider]);
        Assert.DoesNotContain("Search__ApiKey", values.Keys);
    }

    [Fact]
    public void Sample_RetrainSchedule_EqualsTheDeploymentDefault()
    {
        var infrastructureDefault = File.ReadAllLines(InfraPaths.MainBicep)
            .Single(line => line.StartsWith("param retrainSchedule string = ", StringComparison.Ordinal))
            .Split('=', 2)[1].Trim().Trim('\'');

        Assert.Equal(infrastructureDefault, SampleValues()[AppSettingNames.RetrainSchedule]);
    }

    [Fact]
    public void GitIgnore_LocalSettings_IsIgnoredButTheSampleIsNot()
    {
        var patterns = File.ReadAllLines(Path.Combine(InfraPaths.RepositoryRoot, ".gitignore")).Select(line => line.Trim()).ToList();

        Assert.Contains("local.settings.json", patterns);
        Assert.DoesNotContain(patterns, pattern => pattern.StartsWith("local.settings", StringComparison.Ordinal) && pattern != "local.settings.json");
    }

    [Fact]
    public void FunctionsProject_Publish_TargetsLinuxX64FrameworkDependentOnlyWhenPublishing()
    {
        var project = XDocument.Load(Path.Combine(FunctionsProjectDirectory, "ServerlessRec.Functions.csproj"));

        var group = Assert.Single(project.Root!.Elements("PropertyGroup"), g => g.Element("RuntimeIdentifier") is not null);

        // Only `dotnet publish` (azd deploy) sets _IsPublishing; an explicit -r wins. Builds and tests stay portable.
        Assert.Equal("'$(_IsPublishing)' == 'true' And '$(RuntimeIdentifier)' == ''", group.Attribute("Condition")?.Value);
        Assert.Equal("linux-x64", group.Element("RuntimeIdentifier")?.Value);
        Assert.Equal("false", group.Element("SelfContained")?.Value);
        Assert.Empty(project.Root.Descendants("RuntimeIdentifiers"));
    }

    private static IEnumerable<PropertyInfo> SettableProperties(Type type) =>
        type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(property => property.CanWrite);

    private static Dictionary<string, string> SampleValues()
    {
        using var document = JsonDocument.Parse(File.ReadAllText(SamplePath));
        return document.RootElement.GetProperty("Values").EnumerateObject()
            .ToDictionary(property => property.Name, property => property.Value.GetString()!, StringComparer.Ordinal);
    }
}
