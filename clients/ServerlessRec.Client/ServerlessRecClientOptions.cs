using Azure.Core;

namespace ServerlessRec.Client;

/// <summary>
/// How <see cref="ServerlessRecClient"/> reaches the API: where it is, how it authenticates (function keys, Entra ID
/// tokens, or both) and how it retries. Set with <c>services.AddServerlessRecClient(options =&gt; …)</c>.
/// </summary>
public sealed class ServerlessRecClientOptions
{
    /// <summary>A configuration section name for apps that bind the string settings (<c>BaseAddress</c>, keys, <c>Scope</c>) from configuration.</summary>
    public const string SectionName = "ServerlessRec";

    /// <summary>The header the Azure Functions host reads a function key from.</summary>
    public const string FunctionKeyHeader = "x-functions-key";

    /// <summary>The default of <see cref="MaxRetryAttempts"/>.</summary>
    public const int DefaultMaxRetryAttempts = 3;

    /// <summary>The default of <see cref="RetryDelay"/>: 500 ms.</summary>
    public static readonly TimeSpan DefaultRetryDelay = TimeSpan.FromMilliseconds(500);

    /// <summary>The default of <see cref="AttemptTimeout"/>: 10 s.</summary>
    public static readonly TimeSpan DefaultAttemptTimeout = TimeSpan.FromSeconds(10);

    /// <summary>The default of <see cref="TotalTimeout"/>: 45 s (longer than the 30 s an in-flight event post may ask to wait).</summary>
    public static readonly TimeSpan DefaultTotalTimeout = TimeSpan.FromSeconds(45);

    /// <summary>
    /// Gets or sets the API's host root, without <c>/api</c>: <c>https://&lt;app&gt;.azurewebsites.net/</c>, or
    /// <c>http://127.0.0.1:7071/</c> for <c>serverlessrec serve</c>. Required.
    /// </summary>
    public Uri? BaseAddress { get; set; }

    /// <summary>
    /// Gets or sets the function key sent (as <see cref="FunctionKeyHeader"/>) to every route whose group has no key of
    /// its own below. The default is none.
    /// </summary>
    public string? FunctionKey { get; set; }

    /// <summary>
    /// Gets or sets the key of the serving routes (recommendations, events, similar items, health): the
    /// <c>serving-caller</c> key of <c>infra/scripts/set-function-keys.sh</c>. The default is <see cref="FunctionKey"/>.
    /// </summary>
    public string? ServingKey { get; set; }

    /// <summary>Gets or sets the key of the privacy routes (user vector, export, forget). The default is <see cref="FunctionKey"/>.</summary>
    public string? PrivacyKey { get; set; }

    /// <summary>Gets or sets the key of the operations routes (items, retrain, activate, status). The default is <see cref="FunctionKey"/>.</summary>
    public string? OperationsKey { get; set; }

    /// <summary>
    /// Gets or sets the Entra ID credential the client gets access tokens from (<c>DefaultAzureCredential</c>,
    /// <c>ManagedIdentityCredential</c>, …), sent as <c>Authorization: Bearer</c>. Requires <see cref="Scope"/>. The
    /// default is none (function keys only).
    /// </summary>
    public TokenCredential? Credential { get; set; }

    /// <summary>Gets or sets the token scope: <c>api://&lt;API client id&gt;/.default</c> (the app registration's id). Required with <see cref="Credential"/>.</summary>
    public string? Scope { get; set; }

    /// <summary>
    /// Gets or sets how many times a failed request is retried (0 turns retries off). Retried on every route but
    /// <c>POST /api/retrain</c>: 408, 429, 502, 503 (not for the health probe, where it means "no model"), 504 and network
    /// errors; 409 where it means "try again" (events, items, forget); 500 for event posts, whose contract says it logged
    /// nothing. <c>Retry-After</c> is honoured.
    /// </summary>
    /// <value>The default is 3.</value>
    public int MaxRetryAttempts { get; set; } = DefaultMaxRetryAttempts;

    /// <summary>Gets or sets the delay before the first retry; later ones grow exponentially, with jitter.</summary>
    /// <value>The default is 500 ms.</value>
    public TimeSpan RetryDelay { get; set; } = DefaultRetryDelay;

    /// <summary>Gets or sets the time one attempt may take.</summary>
    /// <value>The default is 10 s.</value>
    public TimeSpan AttemptTimeout { get; set; } = DefaultAttemptTimeout;

    /// <summary>Gets or sets the time a call may take with all its retries.</summary>
    /// <value>The default is 45 s.</value>
    public TimeSpan TotalTimeout { get; set; } = DefaultTotalTimeout;

    /// <summary>The key for a group: its own, else <see cref="FunctionKey"/>.</summary>
    internal string? KeyFor(ApiGroup group) => group switch
    {
        ApiGroup.Serving => ServingKey ?? FunctionKey,
        ApiGroup.Privacy => PrivacyKey ?? FunctionKey,
        ApiGroup.Operations => OperationsKey ?? FunctionKey,
        _ => FunctionKey,
    };
}
