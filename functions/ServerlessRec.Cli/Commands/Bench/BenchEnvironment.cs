using System.Diagnostics;
using System.Globalization;

namespace ServerlessRec.Cli.Commands.Bench;

/// <summary>The machine a report was measured on, and the process's memory use.</summary>
internal sealed record BenchEnvironment(DateTimeOffset Started, int Cores, bool Avx2, string Runtime)
{
    public static BenchEnvironment Capture(TimeProvider time) =>
        new(time.GetUtcNow(), Environment.ProcessorCount, System.Runtime.Intrinsics.X86.Avx2.IsSupported, Environment.Version.ToString());

    public string Describe() => string.Create(CultureInfo.InvariantCulture, $"{Started:yyyy-MM-dd HH:mm} UTC, {Cores} cores, AVX2 {Avx2}, .NET {Runtime}");

    /// <summary>The peak working set of this process so far, in MB (it includes every earlier suite of the same run).</summary>
    public static double PeakWorkingSetMB()
    {
        using var process = Process.GetCurrentProcess();
        return process.PeakWorkingSet64 / 1048576.0;
    }

    /// <summary>The managed heap size after the last GC, in MB.</summary>
    public static double ManagedHeapMB() => GC.GetGCMemoryInfo().HeapSizeBytes / 1048576.0;
}
