using System.Globalization;
using ServerlessRec.Evaluation;
using ServerlessRec.Events;
using ServerlessRec.Pipeline;
using ServerlessRec.Training;

namespace ServerlessRec.Cli.Commands.Simulate;

/// <summary>What an arm recommends with.</summary>
internal enum OnlinePolicyKind
{
    Popularity,
    TwoTower,
}
