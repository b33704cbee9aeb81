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

    /// <summary>
    /// What the server showed: one JSON line per sampled recommendation response (<c>yyyy/MM/dd/HH/api-&lt;instance&gt;.jsonl</c>,
    /// <see cref="Serving.ImpressionLog"/>). Apart from <see cref="Events"/> so training never lists or reads it.
    /// </summary>
    public const string Impressions = "impressions";

    /// <summary>Secrets the app creates for itself (the user id key); kept apart so access to it can be granted apart.</summary>
    public const string Keys = "keys";
}
