using System.Reflection;

namespace ServerlessRec.Infra.Tests;

/// <summary>Where the repository's deployment files are.</summary>
public static class InfraPaths
{
    public static string RepositoryRoot { get; } = FindRepositoryRoot();

    public static string InfraDirectory => Path.Combine(RepositoryRoot, "infra");

    public static string MainBicep => Path.Combine(InfraDirectory, "main.bicep");

    public static string MainParameters => Path.Combine(InfraDirectory, "main.parameters.json");

    public static string ProdParameters => Path.Combine(InfraDirectory, "main.parameters.prod.json");

    public static string AzureYaml => Path.Combine(RepositoryRoot, "azure.yaml");

    /// <summary>Every Bicep file under <c>infra/</c>, relative to it, with '/' separators.</summary>
    public static IEnumerable<string> BicepFiles() =>
        Directory.EnumerateFiles(InfraDirectory, "*.bicep", SearchOption.AllDirectories)
            .Select(path => Path.GetRelativePath(InfraDirectory, path).Replace('\\', '/'))
            .Order(StringComparer.Ordinal);

    public static string? GetAssemblyMetadata(string key) =>
        typeof(InfraPaths).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .FirstOrDefault(attribute => attribute.Key == key)?.Value;

    private static string FindRepositoryRoot()
    {
        var recorded = GetAssemblyMetadata("RepositoryRoot");
        if (!string.IsNullOrEmpty(recorded) && File.Exists(Path.Combine(recorded, "infra", "main.bicep")))
        {
            return recorded;
        }

        // Fall back to walking up from the test output folder (e.g. when the build ran elsewhere).
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "infra", "main.bicep")))
            {
                return directory.FullName;
            }
        }

        throw new DirectoryNotFoundException("No folder above the test assembly holds infra/main.bicep.");
    }
}
