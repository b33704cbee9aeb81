namespace ServerlessRec.Cli.Commands.Simulate;

/// <summary>The JSON report of <c>simulate --json</c>: <c>{"days": [row, …], "summary": {…}}</c>.</summary>
internal sealed record SimulationReport(IReadOnlyList<SimulatedDay> Days, SimulationSummary Summary);
