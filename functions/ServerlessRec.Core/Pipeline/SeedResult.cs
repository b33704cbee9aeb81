namespace ServerlessRec.Pipeline;

/// <summary>Output of SeedHistories.</summary>
/// <param name="SeededUsers">Users whose serving history was brought up to date.</param>
/// <param name="QuarantinedUsers">Users whose history could not be written; listed (hashed) in <c>quarantine/&lt;runId&gt;/users.jsonl</c>.</param>
public sealed record SeedResult(int SeededUsers, int QuarantinedUsers);
