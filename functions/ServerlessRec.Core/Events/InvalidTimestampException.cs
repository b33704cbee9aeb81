using System.Text.Json;

namespace ServerlessRec.Events;

/// <summary>
/// A timestamp in a request body that the event contract refuses. Its message is ours (no type names) and completes
/// the field's path, so the HTTP edge shows it: <c>events[0].timestamp "2026-01-01" has no UTC offset</c>.
/// </summary>
public sealed class InvalidTimestampException(string message) : JsonException(message);
