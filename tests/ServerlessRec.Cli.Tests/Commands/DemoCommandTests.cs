namespace ServerlessRec.Cli.Tests.Commands;

public sealed class DemoCommandTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), $"serverlessrec-demo-{Guid.NewGuid():N}");

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    [Fact]
    public async Task Demo_SmallLog_RetrainsThroughTheApiAndShowsTheRankingChangeAfterOneEvent()
    {
        using var output = new StringWriter();
        using var error = new StringWriter();

        var code = await CliApplication.RunAsync(
            ["demo", "--root", _root, "--exit", "--urls", "http://127.0.0.1:0", "--users", "300", "--items", "120", "--events", "9000", "--epochs", "5", "--dim", "16", "--hidden", "32", "--negatives", "64"],
            output,
            error);

        var text = output.ToString();
        Assert.True(code == 0, text + error);
        Assert.Contains("] train", text, StringComparison.Ordinal);
        Assert.Contains("] completed", text, StringComparison.Ordinal);
        Assert.Contains("gate (shipped model, TEST) NDCG@10: two-tower", text, StringComparison.Ordinal);
        Assert.Contains("is live", text, StringComparison.Ordinal);
        Assert.Contains("→ popular items", text, StringComparison.Ordinal);
        Assert.Contains("curl -s -X POST http://127.0.0.1:", text, StringComparison.Ordinal);
        Assert.Contains("/api/events -H 'Content-Type: application/json'", text, StringComparison.Ordinal);
        Assert.Contains("→ history items", text, StringComparison.Ordinal);
        Assert.Contains("because of", text, StringComparison.Ordinal);
        Assert.Contains($"serverlessrec serve --sample --root {_root}", text, StringComparison.Ordinal);
        Assert.True(File.Exists(Directory.GetFiles(Path.Combine(_root, "models"), "report.html", SearchOption.AllDirectories).Single()));
    }

    [Fact]
    public async Task Demo_PortInUse_FailsWithAMessageNamingUrls()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        using var output = new StringWriter();
        using var error = new StringWriter();

        var code = await CliApplication.RunAsync(["demo", "--root", _root, "--exit", "--urls", $"http://127.0.0.1:{port}", "--users", "50", "--items", "20", "--events", "1000"], output, error);

        Assert.Equal(2, code);
        Assert.Contains("--urls", error.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", error.ToString(), StringComparison.Ordinal);
    }
}
