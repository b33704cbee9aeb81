using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using ServerlessRec.Evaluation;
using ServerlessRec.Onnx;
using ServerlessRec.Retrieval;
using ServerlessRec.Serving;
using ServerlessRec.Storage;

namespace ServerlessRec.Pipeline;

/// <summary>What an activation did.</summary>
/// <param name="Live">The live pointer after it (unchanged when <paramref name="Changed"/> is false).</param>
/// <param name="Changed">False when the version was already live.</param>
/// <param name="RunId">The record of the activation in <c>runs/</c> (<see langword="null"/> when nothing changed).</param>
public sealed record ModelActivationResult(ModelPointer Live, bool Changed, string? RunId);
