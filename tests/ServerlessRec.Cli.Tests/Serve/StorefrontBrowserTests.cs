using System.Diagnostics;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Configuration;
using ServerlessRec.Cli.Commands;
using Xunit.Abstractions;

namespace ServerlessRec.Cli.Tests.Serve;

/// <summary>
/// The sample storefront in a real headless Chromium: the real <c>serve --sample</c> on Kestrel over a small live model,
/// and <c>tests/browser/storefront.test.mjs</c> (puppeteer-core driving Debian's <c>chromium</c>), which chooses an item
/// in the catalog grid and checks that the "For you" row changes, explains itself and that the event reached the server.
/// Node, chromium and puppeteer-core are installed by <c>.ci/install-browser.sh</c>; without them the test fails.
/// </summary>
public sealed class StorefrontBrowserTests(ITestOutputHelper log) : IDisposable
{
    private const string InstallHint = "run .ci/install-browser.sh (it installs Debian's chromium and runs npm ci in tests/browser)";
    private static readonly TimeSpan BrowserTimeout = TimeSpan.FromSeconds(60);

    private readonly string _root = Path.Combine(Path.GetTempPath(), "srec-storefront-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    [Fact]
    public async Task ServeSample_ClickInChromium_ForYouRowChangesWithExplanationsAndEventReachesServer()
    {
        var browserTests = Path.Combine(RepositoryRoot(), "tests", "browser");
        var script = Path.Combine(browserTests, "storefront.test.mjs");
        var node = FindOnPath("node") ?? throw new InvalidOperationException($"node is not on PATH: {InstallHint}");
        var chromium = Environment.GetEnvironmentVariable("CHROMIUM_PATH") is { Length: > 0 } configured ? configured : "/usr/bin/chromium";
        Assert.True(File.Exists(chromium), $"chromium is missing at {chromium}: {InstallHint}");
        Assert.True(File.Exists(Path.Combine(browserTests, "node_modules", "puppeteer-core", "package.json")), $"puppeteer-core is missing in {browserTests}/node_modules: {InstallHint}");

        var watch = Stopwatch.StartNew();
        await StorefrontStore.PublishAsync(_root);
        log.WriteLine($"model trained and published in {watch.Elapsed.TotalSeconds:F1} s");
        var screenshot = Path.Combine(AppContext.BaseDirectory, "browser", "storefront.png");
        Directory.CreateDirectory(Path.GetDirectoryName(screenshot)!);
        File.Delete(screenshot);

        using var stop = new CancellationTokenSource();
        var output = new SynchronizedStringWriter();
        var serving = new ServeCommand(new CliContext(new ConfigurationBuilder().Build(), TimeProvider.System)).RunAsync(
            ["--root", _root, "--urls", "http://127.0.0.1:0", "--sample"], output, stop.Token);
        try
        {
            var deadline = DateTime.UtcNow.AddSeconds(30);
            while (!output.Text.Contains("sample storefront on ", StringComparison.Ordinal) && !serving.IsCompleted)
            {
                Assert.True(DateTime.UtcNow < deadline, "serve --sample did not start: " + output.Text);
                await Task.Delay(50);
            }

            Assert.False(serving.IsCompleted, "serve --sample stopped: " + output.Text);
            var page = Regex.Match(output.Text, @"sample storefront on (http://127\.0\.0\.1:\d+)/").Groups[1].Value;

            log.WriteLine($"serve --sample up at {watch.Elapsed.TotalSeconds:F1} s");
            var (exitCode, text) = await RunNodeAsync(node, browserTests, [script, page + "/", screenshot], chromium);
            log.WriteLine($"browser test done at {watch.Elapsed.TotalSeconds:F1} s");

            log.WriteLine(text);
            Assert.True(exitCode == 0, $"the browser test failed (exit code {exitCode}):\n{text}");
            Assert.Contains("storefront: ok", text, StringComparison.Ordinal);
            var png = await File.ReadAllBytesAsync(screenshot);
            Assert.True(png.Length > 10_000, $"the screenshot {screenshot} is {png.Length} bytes");
            Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, png[..4]);
            log.WriteLine($"screenshot: {screenshot}");
        }
        finally
        {
            await stop.CancelAsync();
            await serving.ContinueWith(static _ => { }, TaskScheduler.Default);
        }
    }

    private static async Task<(int ExitCode, string Output)> RunNodeAsync(string node, string workingDirectory, IEnumerable<string> arguments, string chromium)
    {
        var start = new ProcessStartInfo(node)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["CHROMIUM_PATH"] = chromium;
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(BrowserTimeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            return (-1, $"timed out after {BrowserTimeout.TotalSeconds:0} s\n{await stdout}\n{await stderr}");
        }

        return (process.ExitCode, (await stdout) + (await stderr));
    }

    private static string? FindOnPath(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(directory => Path.Combine(directory, program))
            .FirstOrDefault(File.Exists);

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "ServerlessRec.sln")))
            {
                return directory.FullName;
            }
        }

        throw new DirectoryNotFoundException("no ServerlessRec.sln above the test assembly");
    }
}
