namespace ServerlessRec.Events;

/// <summary>A request to seed the users of one API log blob at the next retraining.</summary>
/// <param name="Blob">The log blob, in the events container.</param>
public sealed record HistoryRepairRequest([property: System.Text.Json.Serialization.JsonPropertyName("blob")] string Blob);
