using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using ServerlessRec.Cli.Settings;
using ServerlessRec.Events;
using ServerlessRec.Onnx;
using ServerlessRec.Retrieval;
using ServerlessRec.Serving;
using ServerlessRec.Storage;
using ServerlessRec.Training;

namespace ServerlessRec.Cli.Commands.Bench;

/// <summary>The suite's report.</summary>
internal sealed record MemoryReport(BenchEnvironment Environment, int Dimensions, int Loads, int Calls, IReadOnlyList<MemoryRow> Rows, IReadOnlyList<MemoryGrowth> Growth, IReadOnlyList<BenchTarget> Targets);
