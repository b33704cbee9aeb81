using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Configuration;
using ServerlessRec.Cli.Commands;
using ServerlessRec.Events;
using ServerlessRec.Onnx;
using ServerlessRec.Pipeline;
using ServerlessRec.Storage;

namespace ServerlessRec.Cli.Tests.Serve;

/// <summary><c>serve</c> retrains (<c>POST /api/retrain</c>) with the Training and Retrain settings it was started with, not the defaults.</summary>
public sealed class ServeConfiguredRetrainTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("serverlessrec-serve-configured-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task RetrainOverHttp_TrainingAndRetrainConfigured_ModelIsTrainedWithThem()
    {
        var store = new LocalFolderBlobStore(new StorageOptions { LocalRoot = _root });
        await new SyntheticLogGenerator(new SyntheticLogOptions { Users = 400, Items = 150, Events = 12_000, Seed = 5, Start = DateTimeOffset.UtcNow.AddDays(-31) }).WriteToStoreAsync(store);
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Training:Dimensions"] = "16",
            ["Training:HiddenDimensions"] = "32",
            ["Training:FeatureBuckets"] = "128",
            ["Training:Epochs"] = "3",
            ["Training:Patience"] = "1",
            ["Training:Threads"] = "2",
            ["Training:SampledNegatives"] = "64",
            // Only settable through configuration: serve used to ignore the Retrain section too.
            ["Retrain:ItemsPerIndexActivity"] = "100",
            ["Retrain:FirstRetryInterval"] = "00:00:00.020",
        }).Build();
        using var stop = new CancellationTokenSource();
        var output = new SynchronizedStringWriter();
        var serving = new ServeCommand(new CliContext(configuration, TimeProvider.System)).RunAsync(
            ["--root", _root, "--urls", "http://127.0.0.1:0", "--history", "20"], output, stop.Token);
        try
        {
            var deadline = DateTime.UtcNow.AddSeconds(30);
            while (!output.Text.Contains("serving ", StringComparison.Ordinal) && !serving.IsCompleted)
            {
                Assert.True(DateTime.UtcNow < deadline, "serve did not start: " + output.Text);
                await Task.Delay(50);
            }

            var bound = Regex.Match(output.Text, @"on (http://127\.0\.0\.1:\d+)/api").Groups[1].Value;
            using var http = new HttpClient { BaseAddress = new Uri(bound + "/"), Timeout = TimeSpan.FromSeconds(30) };
            using (var started = await http.PostAsync(new Uri("api/retrain", UriKind.Relative), new StringContent("{}", Encoding.UTF8, "application/json")))
            {
                Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
            }

            var done = await WaitForRetrainAsync(http);
            Assert.True(done.GetProperty("outcome").GetString() == "activated", done.ToString());
            var version = done.GetProperty("version").GetString()!;
            var manifest = (await store.ReadAsync(ContainerNames.Models, ModelPackage.BlobName(version, ModelManifest.FileName)))!;
            var model = JsonDocument.Parse(manifest.Content).RootElement;

            Assert.Equal(16, model.GetProperty("dimensions").GetInt32());
            Assert.Equal(32, model.GetProperty("hiddenDimensions").GetInt32());
            Assert.Equal(128, model.GetProperty("featureBuckets").GetInt32());
            Assert.Equal(20, model.GetProperty("historyLength").GetInt32());
        }
        finally
        {
            await stop.CancelAsync();
            await serving.ContinueWith(static _ => { }, TaskScheduler.Default);
        }
    }

    private static async Task<JsonElement> WaitForRetrainAsync(HttpClient http)
    {
        var deadline = DateTime.UtcNow.AddMinutes(3);
        while (true)
        {
            using var response = await http.GetAsync(new Uri("api/retrain/" + RetrainScheduler.InstanceId, UriKind.Relative));
            var status = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
            if (status.GetProperty("status").GetString() is not ("running" or "pending"))
            {
                Assert.Equal("completed", status.GetProperty("status").GetString());
                return status;
            }

            Assert.True(DateTime.UtcNow < deadline, "the retraining did not finish in 3 minutes");
            await Task.Delay(200);
        }
    }
}
