using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using ServerlessRec.Cli.Settings;
using ServerlessRec.Pipeline;
using ServerlessRec.Serving;
using ServerlessRec.Training;

namespace ServerlessRec.Cli.Commands.Simulate;

/// <summary>One day: each arm's metrics.</summary>
internal sealed record OnlineDay(int Day, SortedDictionary<string, OnlineArmMetrics> Arms);
