using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace ServerlessRec.Core.Tests.Http;

/// <summary>One log entry as a sink would store it: the formatted message and the exception's full text.</summary>
public sealed record CapturedLog(string Category, LogLevel Level, EventId EventId, string Message, string? Exception)
{
    /// <summary>Gets everything a log sink would keep of this entry.</summary>
    public string Text => Exception is null ? Message : Message + Environment.NewLine + Exception;
}

/// <summary>Keeps every log entry at every level, so a test can check what would reach a log sink.</summary>
public sealed class CapturingLoggerProvider : ILoggerProvider
{
    private readonly ConcurrentQueue<CapturedLog> _logs = new();

    public IReadOnlyList<CapturedLog> Logs => [.. _logs];

    public ILogger CreateLogger(string categoryName) => new CapturingLogger(categoryName, _logs);

    public void Dispose()
    {
    }

    private sealed class CapturingLogger(string category, ConcurrentQueue<CapturedLog> logs) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            logs.Enqueue(new CapturedLog(category, logLevel, eventId, formatter(state, exception), exception?.ToString()));
    }
}
