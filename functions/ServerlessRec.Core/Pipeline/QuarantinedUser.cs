namespace ServerlessRec.Pipeline;

/// <summary>A user left out of a step because of a failure with that user's data.</summary>
/// <param name="UserId">The raw id: kept in memory only (the seed watermark needs it), never written or logged.</param>
/// <param name="UserHash">The hashed id that stands for the user in quarantine files and logs.</param>
/// <param name="Reason">The failure's type and message, with the raw id replaced by the hash.</param>
public sealed record QuarantinedUser(string UserId, string UserHash, string Reason);
