using System.Diagnostics;

namespace ServerlessRec.Infra.Tests.Arm;

/// <summary>The Bicep compiler from the Azure.Bicep.CommandLine.linux-x64 package, run as a process.</summary>
public sealed class BicepCli
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromMinutes(2);

    private readonly string _executablePath;

    private BicepCli(string executablePath) => _executablePath = executablePath;

    /// <summary>Finds the binary whose path MSBuild recorded as the <c>BicepPath</c> assembly metadata.</summary>
    public static BicepCli FromAssemblyMetadata()
    {
        var path = InfraPaths.GetAssemblyMetadata("BicepPath");
        if (string.IsNullOrWhiteSpace(path))
        {
            throw new InvalidOperationException(
                "BicepPath is empty: the Azure.Bicep.CommandLine.linux-x64 package is referenced on linux-x64 only.");
        }

        // The package's props build the path with Windows separators.
        path = Path.GetFullPath(OperatingSystem.IsWindows() ? path : path.Replace('\\', '/'));
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"The Bicep CLI is not at '{path}'; restore the test project first.", path);
        }

        EnsureExecutable(path);
        return new BicepCli(path);
    }

    /// <summary>Runs <c>bicep ARGS</c> in <paramref name="workingDirectory"/>.</summary>
    public async Task<BicepResult> RunAsync(string workingDirectory, params string[] arguments)
    {
        var startInfo = new ProcessStartInfo(_executablePath)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        using var process = Process.Start(startInfo)
            ?? throw new InvalidOperationException($"Could not start '{_executablePath}'.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(s_timeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"bicep {string.Join(' ', arguments)} ran longer than {s_timeout}.");
        }

        return new BicepResult(process.ExitCode, await stdout, await stderr);
    }

    private static void EnsureExecutable(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        // NuGet extracts package files without the execute bit.
        var mode = File.GetUnixFileMode(path);
        const UnixFileMode execute = UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;
        if ((mode & UnixFileMode.UserExecute) == 0)
        {
            File.SetUnixFileMode(path, mode | execute);
        }
    }
}

/// <summary>What one Bicep CLI run printed.</summary>
public sealed record BicepResult(int ExitCode, string StandardOutput, string StandardError);
