namespace ServerlessRec.Events;

/// <summary>One interaction of a user with an item: the unit of the event contract in design.md.</summary>
/// <param name="UserId">1–128 characters, no control characters.</param>
/// <param name="ItemId">1–128 characters, no control characters.</param>
/// <param name="Type">One of the configured event types (see <see cref="EventTypeOptions"/>).</param>
/// <param name="Timestamp">When it happened.</param>
/// <param name="Value">Optional number: a rating, dwell seconds.</param>
/// <param name="RecommendationId">The recommendation the event answers (attribution), when the client sent one.</param>
/// <param name="Position">The item's 0-based position in that recommendation's list, when the client sent one.</param>
public readonly record struct InteractionEvent(string UserId, string ItemId, string Type, DateTimeOffset Timestamp, double? Value = null, string? RecommendationId = null, int? Position = null);
