using System.Diagnostics;
using System.Globalization;

namespace ServerlessRec.Cli.Commands.Bench;

/// <summary>The machine a report was measured on, and the process's memory use.</summary>
internal sealed record BenchEnvironment(DateTimeOffset Started, int Cores, bool Avx2, string Runtime, string? LoadAverage)
{
    public static BenchEnvironment Capture(TimeProvider time) =>
        new(time.GetUtcNow(), Environment.ProcessorCount, System.Runtime.Intrinsics.X86.Avx2.IsSupported, Environment.Version.ToString(), ReadLoadAverage());

    public string Describe() => string.Create(CultureInfo.InvariantCulture, $"{Started:yyyy-MM-dd HH:mm} UTC, {Cores} cores, AVX2 {Avx2}, .NET {Runtime}{(LoadAverage is null ? string.Empty : $", load average {LoadAverage} at start")}");

    /// <summary>The peak working set of this process so far, in MB (it includes every earlier suite of the same run).</summary>
    public static double PeakWorkingSetMB()
    {
        using var process = Process.GetCurrentProcess();
        return process.PeakWorkingSet64 / 1048576.0;
    }

    /// <summary>The 1-minute load average on Linux (other processes sharing the cores), or null elsewhere.</summary>
    private static string? ReadLoadAverage()
    {
        const string path = "/proc/loadavg";
        return File.Exists(path) ? File.ReadAllText(path).Split(' ')[0] : null;
    }

    /// <summary>The managed heap size after the last GC, in MB.</summary>
    public static double ManagedHeapMB() => GC.GetGCMemoryInfo().HeapSizeBytes / 1048576.0;
}
