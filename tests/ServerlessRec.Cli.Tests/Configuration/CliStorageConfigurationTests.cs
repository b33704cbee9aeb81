using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using ServerlessRec.Azure.Storage;
using ServerlessRec.Azure.Tests;
using ServerlessRec.Cli.Commands;
using ServerlessRec.Storage;

namespace ServerlessRec.Cli.Tests.Configuration;

/// <summary>The CLI reads the Functions app's Storage settings and runs the loop against Blob Storage (a real Azurite).</summary>
[Collection(CliAzuriteGroup.Name)]
public sealed class CliStorageConfigurationTests(AzuriteFixture azurite) : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("serverlessrec-cli-config-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task Import_AzureBlobProviderConfigured_WritesEventsToBlobStorageAndNamesItFirst()
    {
        var (configuration, store) = await AzuriteConfigurationAsync();
        var file = Path.Combine(_folder, "events.jsonl");
        await File.WriteAllTextAsync(file, """
            {"userId":"u1","itemId":"i1","type":"view","timestamp":"2026-11-01T10:00:00Z"}
            {"userId":"u1","itemId":"i2","type":"click","timestamp":"2026-11-01T10:01:00Z"}
            {"userId":"u2","itemId":"i1","type":"nonsense","timestamp":"2026-11-01T10:02:00Z"}

            """);

        var (code, output, error) = await RunAsync(configuration, "import", "--file", file);

        Assert.Equal(0, code);
        Assert.Empty(error);
        Assert.StartsWith($"store: Azure Blob Storage {azurite.BlobEndpoint.ToString().TrimEnd('/')} (connection string)", output, StringComparison.Ordinal);
        Assert.Equal(2, await CountLinesAsync(store, ContainerNames.Events));
        Assert.Equal(1, await CountLinesAsync(store, ContainerNames.Quarantine));
    }

    [Fact]
    public async Task ImportRetrainRecommend_AzureBlobProviderConfigured_RunTheWholeLoopOnBlobStorage()
    {
        var (configuration, store) = await AzuriteConfigurationAsync();
        var file = Path.Combine(_folder, "log.jsonl");
        Assert.Equal(0, (await RunAsync(configuration, "generate", "--users", "200", "--items", "100", "--events", "8000", "--seed", "3", "--out", file)).Code);
        Assert.Equal(0, (await RunAsync(configuration, "import", "--file", file)).Code);

        var retrain = await RunAsync(configuration, "retrain", "--epochs", "6", "--dim", "32", "--hidden", "32", "--negatives", "64");
        var recommend = await RunAsync(configuration, "recommend", "--user", "u1", "--json");

        // The data and the seed are fixed and training is deterministic, so this run activates (as it does on a local folder).
        Assert.Equal(0, retrain.Code);
        Assert.StartsWith("store: Azure Blob Storage", retrain.Output, StringComparison.Ordinal);
        Assert.NotNull(await store.ReadAsync(ContainerNames.Runs, JsonPropertyOfLatestRun(retrain.Output)));
        Assert.NotNull(await store.ReadAsync(ContainerNames.Models, "current.json"));
        Assert.Equal(0, recommend.Code);
        var answer = JsonDocument.Parse(recommend.Output).RootElement;
        Assert.Equal("history", answer.GetProperty("source").GetString());
        Assert.Equal(10, answer.GetProperty("items").GetArrayLength());
    }

    [Fact]
    public async Task Serve_AzureBlobProviderConfigured_PostedEventsLandInBlobStorage()
    {
        var (configuration, store) = await AzuriteConfigurationAsync();
        using var stop = new CancellationTokenSource();
        var output = new SynchronizedStringWriter();
        var serving = new ServeCommand(new CliContext(configuration, TimeProvider.System)).RunAsync(
            ["--urls", "http://127.0.0.1:0"], output, stop.Token);
        try
        {
            // Port 0: the OS picks a free port as Kestrel binds (no pick-then-bind race with other tests); serve prints it.
            await WaitForAsync(() => output.Text.Contains("serving ", StringComparison.Ordinal) || serving.IsCompleted);
            var bound = System.Text.RegularExpressions.Regex.Match(output.Text, @"on (http://127\.0\.0\.1:\d+)/api").Groups[1].Value;
            using var http = new HttpClient { BaseAddress = new Uri(bound + "/") };
            using var posted = await http.PostAsync(
                new Uri("api/events", UriKind.Relative),
                new StringContent("""{"events":[{"userId":"served-user","itemId":"i9","type":"like"}]}""", Encoding.UTF8, "application/json"));

            Assert.Equal(HttpStatusCode.Accepted, posted.StatusCode);
            Assert.StartsWith("store: Azure Blob Storage", output.Text, StringComparison.Ordinal);
            Assert.Equal(1, await CountLinesAsync(store, ContainerNames.Events));
            var histories = new List<string>();
            await foreach (var blob in store.ListAsync(ContainerNames.Users))
            {
                histories.Add(blob.Name);
            }

            Assert.Single(histories);
        }
        finally
        {
            await stop.CancelAsync();
            await serving.ContinueWith(static _ => { }, TaskScheduler.Default);
        }
    }

    [Fact]
    public async Task ForgetAndExport_AzureBlobProviderConfigured_WorkOnBlobStorage()
    {
        var (configuration, store) = await AzuriteConfigurationAsync();

        var forget = await RunAsync(configuration, "forget", "--user", "gone@example.com");
        var export = await RunAsync(configuration, "export", "--user", "gone@example.com");

        Assert.Equal(0, forget.Code);
        Assert.StartsWith("store: Azure Blob Storage", forget.Output, StringComparison.Ordinal);
        var tombstones = new List<string>();
        await foreach (var blob in store.ListAsync(ContainerNames.Users, "_forgotten/"))
        {
            tombstones.Add(blob.Name);
        }

        Assert.Single(tombstones);
        Assert.Equal(0, export.Code);
        Assert.False(JsonDocument.Parse(export.Output).RootElement.GetProperty("forgottenAt").ValueKind == JsonValueKind.Null);
    }

    [Fact]
    public async Task Root_AzureBlobProviderConfigured_IsAUsageErrorNotASilentLocalStore()
    {
        var (configuration, _) = await AzuriteConfigurationAsync();

        var (code, _, error) = await RunAsync(configuration, "recommend", "--user", "u1", "--root", _folder);

        Assert.Equal(2, code);
        Assert.Contains("--root names a local folder", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Build_AppSettingsJsonInFolder_SelectsTheStoreItNames()
    {
        await File.WriteAllTextAsync(Path.Combine(_folder, CliConfiguration.SettingsFile), $$$"""{"Storage":{"Provider":"AzureBlob","ConnectionString":"{{{azurite.ConnectionString}}}"}}""");

        var configuration = CliConfiguration.Build(_folder, environment: false);
        var (code, output, _) = await RunAsync(configuration, "similar", "--item", "nothing");

        Assert.Equal(StorageProvider.AzureBlob, CliConfiguration.ReadStorageOptions(configuration).Provider);
        Assert.Equal(1, code);
        Assert.StartsWith("store: Azure Blob Storage", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Build_NoSettings_UsesTheLocalFolderAndSaysWhich()
    {
        var configuration = CliConfiguration.Build(_folder, environment: false);

        var (code, output, _) = await RunAsync(configuration, "similar", "--item", "nothing", "--root", Path.Combine(_folder, "store"));

        Assert.Equal(1, code);
        Assert.StartsWith($"store: local folder {Path.Combine(_folder, "store")}", output, StringComparison.Ordinal);
    }

    /// <summary>A configuration naming Azurite, with its own container names cleared first (the collection shares one Azurite).</summary>
    private async Task<(IConfiguration Configuration, IBlobStore Store)> AzuriteConfigurationAsync()
    {
        var options = azurite.CreateStorageOptions();
        var store = BlobStoreFactory.Create(options);
        var service = azurite.CreateServiceClient();
        foreach (var container in new[] { ContainerNames.Events, ContainerNames.Quarantine, ContainerNames.Users, ContainerNames.Models, ContainerNames.Runs, ContainerNames.Catalog, ContainerNames.Requests })
        {
            await service.GetBlobContainerClient(container).DeleteIfExistsAsync();
        }

        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Storage:Provider"] = "AzureBlob",
            ["Storage:ConnectionString"] = options.ConnectionString,
        }).Build();
        return (configuration, store);
    }

    private static string JsonPropertyOfLatestRun(string retrainOutput)
    {
        var line = retrainOutput.Split('\n').Single(l => l.Contains("run record: runs/", StringComparison.Ordinal));
        return line[(line.IndexOf("runs/", StringComparison.Ordinal) + "runs/".Length)..].Trim();
    }

    private static async Task<int> CountLinesAsync(IBlobStore store, string container)
    {
        var lines = 0;
        await foreach (var blob in store.ListAsync(container))
        {
            var content = await store.ReadAsync(container, blob.Name);
            lines += Encoding.UTF8.GetString(content!.Content.Span).Split('\n', StringSplitOptions.RemoveEmptyEntries).Length;
        }

        return lines;
    }

    private static async Task<(int Code, string Output, string Error)> RunAsync(IConfiguration configuration, params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await CliApplication.RunAsync(args, output, error, configuration);
        return (code, output.ToString(), error.ToString());
    }

    private static async Task WaitForAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "timed out");
            await Task.Delay(50);
        }
    }
}
