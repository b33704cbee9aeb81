using System.Net;
using System.Text;
using Microsoft.Extensions.Configuration;
using ServerlessRec.Cli.Commands;
using ServerlessRec.Diagnostics;

namespace ServerlessRec.Cli.Tests.Serve;

/// <summary>The console exporter writes to the process's standard output, which these tests borrow: nothing runs beside them.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ConsoleOutputGroup
{
    public const string Name = "Console output";
}

/// <summary><c>serve</c> exports the ServerlessRec meter when <c>Telemetry:Exporter</c> says so, and nothing otherwise.</summary>
[Collection(ConsoleOutputGroup.Name)]
public sealed class ServeTelemetryTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("serverlessrec-serve-telemetry-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task Serve_ConsoleExporterConfigured_PrintsTheServerlessRecMetrics()
    {
        var printed = await ServeAndPostAsync(new Dictionary<string, string?> { ["Telemetry:Exporter"] = "console" });

        Assert.Contains($"Metric Name: {ServerlessRecTelemetry.EventsAccepted}", printed, StringComparison.Ordinal);
        Assert.Contains($"Metric Name: {ServerlessRecTelemetry.EventsRejected}", printed, StringComparison.Ordinal);
        Assert.Contains("events[].type", printed, StringComparison.Ordinal);
        Assert.Contains("http.server.request.duration", printed, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serve_NoExporterConfigured_PrintsNoTelemetry()
    {
        var printed = await ServeAndPostAsync(new Dictionary<string, string?>());

        Assert.DoesNotContain("serverlessrec.", printed, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serve_UnknownExporter_IsAUsageErrorNamingTheSetting()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Telemetry:Exporter"] = "prometheus" }).Build();

        var error = await Assert.ThrowsAsync<CliUsageException>(() => new ServeCommand(new CliContext(configuration, TimeProvider.System)).RunAsync(
            ["--root", _root, "--urls", "http://127.0.0.1:0"], TextWriter.Null, CancellationToken.None));

        Assert.Contains("Telemetry", error.Message, StringComparison.Ordinal);
    }

    /// <summary>Runs serve, posts one valid and one invalid batch of events, stops it, and returns what went to standard output.</summary>
    private async Task<string> ServeAndPostAsync(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var console = new StringWriter();
        var original = Console.Out;
        Console.SetOut(TextWriter.Synchronized(console));
        try
        {
            using var stop = new CancellationTokenSource();
            var output = new StringWriter();
            var synchronizedOutput = TextWriter.Synchronized(output);
            var serving = new ServeCommand(new CliContext(configuration, TimeProvider.System)).RunAsync(
                ["--root", _root, "--urls", "http://127.0.0.1:0"], synchronizedOutput, stop.Token);
            var deadline = DateTime.UtcNow.AddSeconds(30);
            string Text() => output.ToString();
            while (!Text().Contains("serving ", StringComparison.Ordinal) && !serving.IsCompleted)
            {
                Assert.True(DateTime.UtcNow < deadline, "serve did not start");
                await Task.Delay(50);
            }

            var bound = System.Text.RegularExpressions.Regex.Match(Text(), @"on (http://127\.0\.0\.1:\d+)/api").Groups[1].Value;
            using (var http = new HttpClient { BaseAddress = new Uri(bound + "/") })
            {
                using var accepted = await http.PostAsync(new Uri("api/events", UriKind.Relative), new StringContent("""{"events":[{"userId":"t1","itemId":"i1","type":"view"}]}""", Encoding.UTF8, "application/json"));
                using var rejected = await http.PostAsync(new Uri("api/events", UriKind.Relative), new StringContent("""{"events":[{"userId":"t1","itemId":"i1","type":"teleport"}]}""", Encoding.UTF8, "application/json"));
                Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
                Assert.Equal(HttpStatusCode.BadRequest, rejected.StatusCode);
            }

            // Stopping serve disposes the meter provider, which exports what it has collected.
            await stop.CancelAsync();
            Assert.Equal(0, await serving);
            return console.ToString();
        }
        finally
        {
            Console.SetOut(original);
        }
    }
}
