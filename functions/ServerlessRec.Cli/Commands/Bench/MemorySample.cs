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

/// <summary>One child process's measurement.</summary>
internal sealed record MemorySample(string Mode, int Items, double BaselineWorkingSetMB, double WorkingSetMB, double GcHeapMB, double PeakWorkingSetMB, double LoadSeconds, int ItemsReturned);
