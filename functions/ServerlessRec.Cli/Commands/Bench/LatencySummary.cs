namespace ServerlessRec.Cli.Commands.Bench;

/// <summary>Percentiles of one set of samples measured in one run (any unit; the caller names it).</summary>
internal sealed record LatencySummary(int Count, double Mean, double P50, double P99, double P999, double Max)
{
    /// <summary>Summarises <paramref name="samples"/>; sorts the array in place.</summary>
    public static LatencySummary Of(double[] samples)
    {
        if (samples.Length == 0)
        {
            throw new ArgumentException("no samples to summarise", nameof(samples));
        }

        Array.Sort(samples);
        return new LatencySummary(samples.Length, samples.Average(), Percentile(samples, 0.50), Percentile(samples, 0.99), Percentile(samples, 0.999), samples[^1]);
    }

    /// <summary>The linearly interpolated percentile <paramref name="p"/> (0..1) of sorted samples.</summary>
    public static double Percentile(double[] sorted, double p)
    {
        var position = p * (sorted.Length - 1);
        var lower = (int)position;
        var upper = Math.Min(sorted.Length - 1, lower + 1);
        return sorted[lower] + ((sorted[upper] - sorted[lower]) * (position - lower));
    }

    /// <summary>The median of a few repeated measurements (sorted in place).</summary>
    public static double Median(double[] samples) => Of(samples).P50;
}
