using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using ServerlessRec.Cli.Settings;
using ServerlessRec.Pipeline;
using ServerlessRec.Serving;
using ServerlessRec.Training;

namespace ServerlessRec.Cli.Commands.Simulate;

/// <summary>The simulator's JSON report.</summary>
internal sealed record OnlineReport(IReadOnlyDictionary<string, object> Summary, OnlineTargets Targets, IReadOnlyList<OnlineDay> Days, double Seconds);
