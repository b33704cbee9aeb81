namespace ServerlessRec.Storage;

/// <summary>The containers of the storage layout in design.md. Names are configurable through <see cref="StorageOptions"/>.</summary>
public static class ContainerNames
{
    public const string Events = "events";
    public const string Catalog = "catalog";
    public const string Users = "users";
    public const string Models = "models";
    public const string Quarantine = "quarantine";
    public const string Runs = "runs";

    /// <summary>Idempotency markers of posts that carried an <c>Idempotency-Key</c>, kept for a day.</summary>
    public const string Requests = "requests";
}
