namespace ServerlessRec.Cli.Commands.Bench;

/// <summary>A suite's result: the object written as <c>bench-NAME.json</c> and its Markdown table.</summary>
internal sealed record BenchSuiteResult(string Suite, object Report, string Markdown);
