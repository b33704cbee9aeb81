namespace ServerlessRec.Cli;

/// <summary>A command line that cannot be run as given; printed without a stack trace, exit code 2.</summary>
internal sealed class CliUsageException(string message) : Exception(message);
