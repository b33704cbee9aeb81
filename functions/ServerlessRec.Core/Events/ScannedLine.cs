namespace ServerlessRec.Events;

/// <summary>What <see cref="LineScanner.TryReadLine"/> found.</summary>
internal enum ScannedLine
{
    /// <summary>No complete line is buffered: call Fill, or stop when <see cref="LineScanner.IsCompleted"/>.</summary>
    NeedMore,

    /// <summary>A line (without its line break).</summary>
    Line,

    /// <summary>A line longer than the limit; the span holds its first bytes only and the rest is skipped.</summary>
    TooLong,
}
