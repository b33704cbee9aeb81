using System.Text.Json;
using ServerlessRec.Azure.Tests;
using ServerlessRec.Cli.Tests.Configuration;
using ServerlessRec.Storage;

namespace ServerlessRec.Cli.Tests.Commands.Bench;

/// <summary><c>bench recommend</c>: recommendations through <c>serve</c> and RecommenderService, on both stores.</summary>
[Collection(CliAzuriteGroup.Name)]
public sealed class RecommendBenchmarkTests(AzuriteFixture azurite) : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "serverlessrec-bench-recommend-" + Guid.NewGuid().ToString("N"));

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task Bench_Recommend_LocalFolderAndAzurite_TimesEveryCallThroughTheService()
    {
        // The collection shares one Azurite: start from empty containers.
        var service = azurite.CreateServiceClient();
        foreach (var container in new[] { ContainerNames.Events, ContainerNames.Users, ContainerNames.Models, ContainerNames.Runs, ContainerNames.Catalog })
        {
            await service.GetBlobContainerClient(container).DeleteIfExistsAsync();
        }

        var output = Path.Combine(_root, "out");
        using var console = new StringWriter();
        using var error = new StringWriter();
        var code = await CliApplication.RunAsync(
            ["bench", "recommend", "--service-items", "600", "--service-users", "20", "--service-calls", "30", "--blob-connection-string", azurite.ConnectionString, "--out", output],
            console,
            error);

        Assert.True(code == 0, error.ToString());
        using var json = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(output, "bench-recommend.json")));
        var results = json.RootElement.GetProperty("Results");
        Assert.Equal(["local folder", "Azure Blob (connection string)"], results.EnumerateArray().Select(r => r.GetProperty("Store").GetString()));
        Assert.All(results.EnumerateArray(), r =>
        {
            Assert.Equal(30, r.GetProperty("LatencyMs").GetProperty("Count").GetInt32());
            Assert.True(r.GetProperty("LatencyMs").GetProperty("P50").GetDouble() > 0);
            // Each call allocates at least its request and response bodies; collections are counted per generation.
            Assert.True(r.GetProperty("AllocatedBytesPerCall").GetDouble() > 1000);
            Assert.True(r.GetProperty("Collections").GetProperty("Gen0").GetInt32() >= 0);
        });

        // The Azurite run served the model it wrote there: its pointer names the bench's version.
        Assert.True(await service.GetBlobContainerClient(ContainerNames.Models).ExistsAsync());
        var markdown = await File.ReadAllTextAsync(Path.Combine(output, "bench-recommend.md"));
        Assert.Contains("through RecommenderService (Azure Blob (connection string))", markdown, StringComparison.Ordinal);
        Assert.Contains("KiB allocated per call", markdown, StringComparison.Ordinal);
    }
}
