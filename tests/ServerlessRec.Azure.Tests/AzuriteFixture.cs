using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Azure.Storage.Blobs;
using ServerlessRec.Azure.Storage;
using ServerlessRec.Storage;

namespace ServerlessRec.Azure.Tests;

/// <summary>
/// Runs a real, blob-only Azurite for the tests of one collection: the version pinned in
/// <c>tests/azurite/package.json</c>, installed with <c>npm ci</c> when missing, on a free loopback port,
/// with its data in a temporary folder that is deleted afterwards. When <c>AZURITE_BLOB_ENDPOINT</c>
/// (e.g. <c>http://127.0.0.1:10000/devstoreaccount1</c>) is set, that Azurite is used instead.
/// </summary>
/// <remarks>
/// Azurite is started without <c>--skipApiVersionCheck</c> on purpose: the tests then prove that
/// <see cref="BlobStoreFactory.PinnedServiceVersion"/> is a version a stock Azurite accepts.
/// </remarks>
public sealed class AzuriteFixture : IAsyncLifetime
{
    /// <summary>The variable naming an Azurite blob endpoint to use instead of starting one.</summary>
    public const string EndpointVariable = "AZURITE_BLOB_ENDPOINT";

    // Azurite's well-known development account (public, documented, emulator-only).
    private const string AccountName = "devstoreaccount1";
    private const string AccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan InstallTimeout = TimeSpan.FromMinutes(5);

    private readonly StringBuilder _output = new();
    private Process? _process;
    private string? _dataFolder;
    private Uri? _blobEndpoint;

    /// <summary>Gets the blob endpoint, account path included.</summary>
    public Uri BlobEndpoint => _blobEndpoint ?? throw new InvalidOperationException("Azurite has not been started.");

    /// <summary>Gets a connection string for the Azurite account.</summary>
    public string ConnectionString =>
        $"DefaultEndpointsProtocol=http;AccountName={AccountName};AccountKey={AccountKey};BlobEndpoint={BlobEndpoint};";

    /// <summary>Storage options that point the product's factory at this Azurite.</summary>
    public StorageOptions CreateStorageOptions() => new() { Provider = StorageProvider.AzureBlob, ConnectionString = ConnectionString };

    /// <summary>A service client for checks and clean-up that bypass the store.</summary>
    public BlobServiceClient CreateServiceClient() => BlobStoreFactory.CreateServiceClient(CreateStorageOptions());

    public async Task InitializeAsync()
    {
        string? external = Environment.GetEnvironmentVariable(EndpointVariable);
        if (!string.IsNullOrWhiteSpace(external))
        {
            _blobEndpoint = new Uri(external.TrimEnd('/'));
            await WaitUntilServingAsync(_blobEndpoint, process: null, StartTimeout);
            return;
        }

        string azuriteFolder = FindAzuriteFolder();
        string mainScript = Path.Combine(azuriteFolder, "node_modules", "azurite", "dist", "src", "blob", "main.js");
        if (!File.Exists(mainScript))
        {
            await InstallAzuriteAsync(azuriteFolder);
        }

        _dataFolder = Directory.CreateTempSubdirectory("serverlessrec-azurite-").FullName;
        for (int attempt = 1; ; attempt++)
        {
            int port = FindFreePort();
            _process = StartAzurite(mainScript, port, _dataFolder);
            Uri endpoint = new($"http://127.0.0.1:{port}/{AccountName}");
            try
            {
                await WaitUntilServingAsync(endpoint, _process, StartTimeout);
                _blobEndpoint = endpoint;
                return;
            }
            catch (InvalidOperationException) when (attempt < 3 && ReadOutput().Contains("EADDRINUSE", StringComparison.Ordinal))
            {
                // Another program took the port between probing and binding: try another one.
                await StopAsync();
                lock (_output)
                {
                    _output.Clear();
                }
            }
        }
    }

    public async Task DisposeAsync()
    {
        await StopAsync();
        if (_dataFolder is not null && Directory.Exists(_dataFolder))
        {
            Directory.Delete(_dataFolder, recursive: true);
        }
    }

    private Process StartAzurite(string mainScript, int port, string dataFolder)
    {
        ProcessStartInfo start = new("node")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = dataFolder,
        };
        foreach (string argument in new[]
        {
            mainScript,
            "--blobHost", "127.0.0.1",
            "--blobPort", port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--location", dataFolder,
            "--silent",
            "--disableTelemetry",
        })
        {
            start.ArgumentList.Add(argument);
        }

        Process process = new() { StartInfo = start };
        process.OutputDataReceived += (_, e) => Collect(e.Data);
        process.ErrorDataReceived += (_, e) => Collect(e.Data);
        try
        {
            process.Start();
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            process.Dispose();
            throw new InvalidOperationException("Could not start Azurite: 'node' (Node.js 20 or later) must be on PATH.", ex);
        }

        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private async Task WaitUntilServingAsync(Uri endpoint, Process? process, TimeSpan timeout)
    {
        using HttpClient http = new() { Timeout = TimeSpan.FromSeconds(5) };
        Stopwatch waited = Stopwatch.StartNew();
        while (true)
        {
            if (process is { HasExited: true })
            {
                throw new InvalidOperationException(
                    $"Azurite exited with code {process.ExitCode} before serving {endpoint}. Its output:\n{ReadOutput()}");
            }

            try
            {
                // Any HTTP answer (403 for an unsigned request) means Azurite is accepting requests.
                using HttpResponseMessage response = await http.GetAsync(new Uri(endpoint + "?comp=list"));
                return;
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
                if (waited.Elapsed > timeout)
                {
                    throw new InvalidOperationException(
                        $"Azurite did not accept requests at {endpoint} within {timeout.TotalSeconds:0} s ({ex.Message}). Its output:\n{ReadOutput()}", ex);
                }
            }

            await Task.Delay(100);
        }
    }

    private async Task StopAsync()
    {
        if (_process is null)
        {
            return;
        }

        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            using CancellationTokenSource timeout = new(TimeSpan.FromSeconds(10));
            await _process.WaitForExitAsync(timeout.Token);
        }

        _process.Dispose();
        _process = null;
    }

    private static async Task InstallAzuriteAsync(string azuriteFolder)
    {
        ProcessStartInfo start = new("npm")
        {
            WorkingDirectory = azuriteFolder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string argument in new[] { "ci", "--no-audit", "--no-fund" })
        {
            start.ArgumentList.Add(argument);
        }

        using Process npm = Process.Start(start)
            ?? throw new InvalidOperationException($"Could not start 'npm ci' in {azuriteFolder}.");
        Task<string> stdout = npm.StandardOutput.ReadToEndAsync();
        Task<string> stderr = npm.StandardError.ReadToEndAsync();
        using CancellationTokenSource timeout = new(InstallTimeout);
        try
        {
            await npm.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            npm.Kill(entireProcessTree: true);
            throw new InvalidOperationException($"'npm ci' in {azuriteFolder} did not finish within {InstallTimeout.TotalMinutes:0} minutes.");
        }

        if (npm.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"'npm ci' in {azuriteFolder} failed with exit code {npm.ExitCode}:\n{await stdout}\n{await stderr}");
        }
    }

    private static string FindAzuriteFolder()
    {
        for (DirectoryInfo? folder = new(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            string candidate = Path.Combine(folder.FullName, "tests", "azurite");
            if (File.Exists(Path.Combine(candidate, "package.json")))
            {
                return candidate;
            }
        }

        throw new InvalidOperationException(
            $"No tests/azurite/package.json above {AppContext.BaseDirectory}; run the tests from the repository, or set {EndpointVariable}.");
    }

    private static int FindFreePort()
    {
        using TcpListener listener = new(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private void Collect(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }
    }

    private string ReadOutput()
    {
        lock (_output)
        {
            return _output.Length == 0 ? "(nothing)" : _output.ToString();
        }
    }
}
