namespace ServerlessRec.Storage;

/// <summary>The containers of the storage layout in design.md. Names are configurable through <see cref="StorageOptions"/>.</summary>
public static class ContainerNames
{
    /// <summary>The event log: JSON-lines blobs in date folders (<c>yyyy/MM/dd/…</c>), uploaded in bulk or appended by the API.</summary>
    public const string Events = "events";
    /// <summary>The item catalog (<c>items.jsonl</c>) and its updates (<c>updates/</c>).</summary>
    public const string Catalog = "catalog";
    /// <summary>The users' serving histories (one blob per hashed user id) and the forgotten users' tombstones.</summary>
    public const string Users = "users";
    /// <summary>The model versions (<c>&lt;version&gt;/model.json</c> and artefacts) and the live pointer (<c>current.json</c>).</summary>
    public const string Models = "models";
    /// <summary>What retraining runs rejected, per run (<c>&lt;runId&gt;/…</c>): invalid log lines and users whose data failed a step, with the reason.</summary>
    public const string Quarantine = "quarantine";
    /// <summary>The records of retraining runs and rollbacks (<c>&lt;runId&gt;.json</c>), their HTML reports, and the runs' scratch data.</summary>
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
