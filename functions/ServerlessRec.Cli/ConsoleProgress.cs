using System.Diagnostics;
using System.Globalization;

namespace ServerlessRec.Cli;

/// <summary>A one-line progress display (<c>\r</c>-rewritten, at most twice a second), reported synchronously.</summary>
internal sealed class ConsoleProgress(TextWriter output, string verb, long expected) : IProgress<long>
{
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private TimeSpan _lastShown = TimeSpan.Zero;
    private bool _shown;

    public TimeSpan Elapsed => _clock.Elapsed;

    public void Report(long value)
    {
        if (_clock.Elapsed - _lastShown < TimeSpan.FromMilliseconds(500))
        {
            return;
        }

        _lastShown = _clock.Elapsed;
        _shown = true;
        var percent = expected > 0 ? Math.Min(100.0, 100.0 * value / expected) : 100.0;
        output.Write(string.Create(CultureInfo.InvariantCulture, $"\r{verb} {value:N0} lines (~{percent:F0}%)   "));
    }

    /// <summary>Ends the progress line, if one was shown.</summary>
    public void Done()
    {
        if (_shown)
        {
            output.WriteLine();
        }
    }
}
