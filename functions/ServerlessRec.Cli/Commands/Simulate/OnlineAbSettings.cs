using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using ServerlessRec.Cli.Settings;
using ServerlessRec.Pipeline;
using ServerlessRec.Serving;
using ServerlessRec.Training;

namespace ServerlessRec.Cli.Commands.Simulate;

/// <summary>The A/Bs' settings: their world's users and days, the baseline configuration text and the false-positive seeds.</summary>
internal sealed record OnlineAbSettings(int Users, int Days, string Control, int Seeds, bool SeedsPower = false);
