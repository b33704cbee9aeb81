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

/// <summary>The median of a mode and catalog size.</summary>
internal sealed record MemoryRow(string Mode, int Items, double WorkingSetMB, double GcHeapMB, double BaselineWorkingSetMB, double PeakWorkingSetMB, double LoadSeconds, IReadOnlyList<MemorySample> Samples);
