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

/// <summary>How much a mode grows from the smallest to the largest catalog.</summary>
internal sealed record MemoryGrowth(string Mode, int FromItems, int ToItems, double WorkingSetGrowthMB, double GcHeapGrowthMB);
