using System.Diagnostics;
using System.Text;

namespace ServerlessRec.Cli.Commands.Simulate;

/// <summary>
/// A blob-only Azurite started for one simulation, the way the tests start it: the version pinned in
/// <c>tests/azurite</c> (run <c>npm ci --prefix tests/azurite</c> once), on a free loopback port, with its data in a
/// temporary folder deleted at the end.
/// </summary>
internal sealed class AzuriteProcess : IAsyncDisposable
{
    // Azurite's documented development account: public and emulator-only.
    private const string Account = "devstoreaccount1";
    private const string AccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private readonly Process _process;
    private readonly string _data;

    private AzuriteProcess(Process process, string data, Uri endpoint)
    {
        _process = process;
        _data = data;
        Endpoint = endpoint;
    }

    public Uri Endpoint { get; }

    public string ConnectionString => $"DefaultEndpointsProtocol=http;AccountName={Account};AccountKey={AccountKey};BlobEndpoint={Endpoint};";

    public static async Task<AzuriteProcess> StartAsync(CancellationToken cancellationToken)
    {
        var script = FindScript() ?? throw new CliUsageException(
            "--store azurite needs Azurite from tests/azurite (run: npm ci --prefix tests/azurite) in this folder or one above it.");
        var data = Directory.CreateTempSubdirectory("serverlessrec-simulate-azurite-").FullName;
        var port = LoopbackPort.Free();
        var start = new ProcessStartInfo("node")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { script, "--blobHost", "127.0.0.1", "--blobPort", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--location", data, "--silent" })
        {
            start.ArgumentList.Add(arg);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("node could not be started");
        var output = new StringBuilder();
        process.OutputDataReceived += (_, e) => output.AppendLine(e.Data);
        process.ErrorDataReceived += (_, e) => output.AppendLine(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var endpoint = new Uri($"http://127.0.0.1:{port}/{Account}");
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var waited = Stopwatch.StartNew();
        while (true)
        {
            if (process.HasExited || waited.Elapsed > TimeSpan.FromSeconds(60))
            {
                throw new InvalidOperationException($"Azurite did not start at {endpoint}: {output}");
            }

            try
            {
                using var _ = await http.GetAsync(new Uri(endpoint + "?comp=list"), cancellationToken).ConfigureAwait(false);
                return new AzuriteProcess(process, data, endpoint);
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
            {
                await Task.Delay(100, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync().ConfigureAwait(false);
        }

        _process.Dispose();
        Directory.Delete(_data, recursive: true);
    }

    private static string? FindScript()
    {
        for (var folder = new DirectoryInfo(Environment.CurrentDirectory); folder is not null; folder = folder.Parent)
        {
            var script = Path.Combine(folder.FullName, "tests", "azurite", "node_modules", "azurite", "dist", "src", "blob", "main.js");
            if (File.Exists(script))
            {
                return script;
            }
        }

        return null;
    }
}
