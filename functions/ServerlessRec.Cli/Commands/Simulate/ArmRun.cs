using System.Globalization;
using ServerlessRec.Evaluation;
using ServerlessRec.Events;
using ServerlessRec.Pipeline;
using ServerlessRec.Training;

namespace ServerlessRec.Cli.Commands.Simulate;

/// <summary>One arm's run: each day's metrics and the whole run's.</summary>
internal sealed record ArmRun(IReadOnlyList<OnlineArmMetrics> Days, OnlineArmMetrics Total);
