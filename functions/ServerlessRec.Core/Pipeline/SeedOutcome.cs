namespace ServerlessRec.Pipeline;

/// <summary>What <see cref="UserHistorySeeder.SeedUsersAsync"/> did.</summary>
/// <param name="Seeded">Users whose history was brought up to date.</param>
/// <param name="Quarantined">Users whose history could not be written, in hash order.</param>
public sealed record SeedOutcome(int Seeded, IReadOnlyList<QuarantinedUser> Quarantined);
