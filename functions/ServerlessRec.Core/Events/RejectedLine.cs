namespace ServerlessRec.Events;

/// <summary>One input line that was not accepted, with where it was and why.</summary>
/// <param name="File">The name of the file (or blob) the line came from.</param>
/// <param name="LineNumber">The 1-based physical line number (blank and header lines count).</param>
/// <param name="Reason">A stable code from <see cref="RejectionReasons"/>.</param>
/// <param name="Text">The line as read, truncated to about 1 KiB; invalid UTF-8 is shown as U+FFFD.</param>
/// <param name="Message">A human explanation that starts with the line number, e.g. <c>line 17: timestamp "yesterday" is not ISO-8601 or Unix seconds</c>.</param>
public sealed record RejectedLine(string File, long LineNumber, string Reason, string Text, string Message);
