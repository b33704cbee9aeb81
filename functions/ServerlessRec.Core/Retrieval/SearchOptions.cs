using System.ComponentModel.DataAnnotations;

namespace ServerlessRec.Retrieval;

/// <summary>
/// Options of the item index backend, bound from the <c>Search</c> configuration section
/// (<c>Search__Provider</c>, <c>Search__Endpoint</c>, … as app settings or environment variables).
/// </summary>
public sealed class SearchOptions : IValidatableObject
{
    /// <summary>The configuration section name.</summary>
    public const string SectionName = "Search";

    /// <summary>The default index name prefix; an index is named prefix + model version.</summary>
    public const string DefaultIndexPrefix = "items-v";

    /// <summary>The default HNSW graph degree.</summary>
    public const int DefaultHnswM = 4;

    /// <summary>The default HNSW candidate list size while building.</summary>
    public const int DefaultEfConstruction = 400;

    /// <summary>The default HNSW candidate list size while querying.</summary>
    public const int DefaultEfSearch = 500;

    /// <summary>The most documents Azure AI Search accepts in one indexing request.</summary>
    public const int MaxUploadBatchSize = 1000;

    /// <summary>The default number of retries of a throttled or unavailable request.</summary>
    public const int DefaultMaxRetries = 5;

    /// <summary>Gets or sets the backend.</summary>
    /// <value>The default is <see cref="SearchProviderKind.Embedded"/>.</value>
    public SearchProviderKind Provider { get; set; } = SearchProviderKind.Embedded;

    /// <summary>
    /// Gets or sets the Azure AI Search endpoint, e.g. <c>https://name.search.windows.net</c>. Required by
    /// <see cref="SearchProviderKind.AzureAISearch"/>; set by the Bicep deployment as <c>Search__Endpoint</c>.
    /// </summary>
    public Uri? Endpoint { get; set; }

    /// <summary>
    /// Gets or sets an admin API key. Used only when set explicitly (local runs against a service without
    /// role assignments); otherwise requests authenticate with <c>DefaultAzureCredential</c> (managed identity).
    /// </summary>
    public string? ApiKey { get; set; }

    /// <summary>Gets or sets the index name prefix: lower-case letters, digits and single dashes.</summary>
    /// <value>The default is <c>items-v</c>, giving indexes such as <c>items-v20250101</c>.</value>
    [Required]
    [RegularExpression("^[a-z0-9](?:[a-z0-9]|-(?!-)){0,63}$", ErrorMessage = "Search:IndexPrefix must start with a lower-case letter or digit and hold only lower-case letters, digits and single dashes (at most 64 characters).")]
    public string IndexPrefix { get; set; } = DefaultIndexPrefix;

    /// <summary>Gets or sets the HNSW graph degree <c>m</c> (service range 4–10).</summary>
    /// <value>The default is 4.</value>
    [Range(4, 10)]
    public int HnswM { get; set; } = DefaultHnswM;

    /// <summary>Gets or sets the HNSW <c>efConstruction</c> (service range 100–1000).</summary>
    /// <value>The default is 400.</value>
    [Range(100, 1000)]
    public int EfConstruction { get; set; } = DefaultEfConstruction;

    /// <summary>Gets or sets the HNSW <c>efSearch</c> (service range 100–1000).</summary>
    /// <value>The default is 500.</value>
    [Range(100, 1000)]
    public int EfSearch { get; set; } = DefaultEfSearch;

    /// <summary>Gets or sets a value indicating whether vectors are stored int8 scalar-quantized (re-ranked with the originals).</summary>
    /// <value>The default is <see langword="false"/>.</value>
    public bool ScalarQuantization { get; set; }

    /// <summary>Gets or sets a value indicating whether queries scan all vectors exactly instead of walking the HNSW graph.</summary>
    /// <value>The default is <see langword="false"/>.</value>
    public bool ExhaustiveKnn { get; set; }

    /// <summary>Gets or sets the most documents per upload request (the service accepts at most 1000 and 16 MB).</summary>
    /// <value>The default is 1000 documents.</value>
    [Range(1, MaxUploadBatchSize)]
    public int UploadBatchSize { get; set; } = MaxUploadBatchSize;

    /// <summary>Gets or sets how many times a throttled (429) or unavailable (503) request or document is retried.</summary>
    /// <value>The default is 5 retries.</value>
    [Range(0, 20)]
    public int MaxRetries { get; set; } = DefaultMaxRetries;

    /// <summary>Gets or sets the first retry delay; later retries double it (with jitter) up to <see cref="MaxRetryDelay"/>.</summary>
    /// <value>The default is 1 second.</value>
    [Range(typeof(TimeSpan), "00:00:00", "00:01:00")]
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Gets or sets the longest retry delay.</summary>
    /// <value>The default is 30 seconds.</value>
    [Range(typeof(TimeSpan), "00:00:00", "00:10:00")]
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Gets or sets a setting that is no longer read: the retention of model versions, their blobs and their index in
    /// either backend, is the one setting <c>Retrain:KeepVersions</c>. A configured value fails validation, so a
    /// deployment that set it learns where it moved instead of having it silently ignored.
    /// </summary>
    /// <value>The default is <see langword="null"/> (not set).</value>
    public int? KeepVersions { get; set; }

    /// <inheritdoc/>
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Provider == SearchProviderKind.AzureAISearch)
        {
            if (Endpoint is null)
            {
                yield return new ValidationResult("Search:Endpoint is required when Search:Provider is AzureAISearch (e.g. https://name.search.windows.net).", [nameof(Endpoint)]);
            }
            else if (!Endpoint.IsAbsoluteUri || Endpoint.Scheme != Uri.UriSchemeHttps)
            {
                yield return new ValidationResult($"Search:Endpoint \"{Endpoint}\" must be an absolute https:// URI.", [nameof(Endpoint)]);
            }
        }

        if (KeepVersions is not null)
        {
            yield return new ValidationResult("Search:KeepVersions is no longer read: set Retrain:KeepVersions, the one retention setting for model versions and their indexes in both backends.", [nameof(KeepVersions)]);
        }

        if (MaxRetryDelay < RetryDelay)
        {
            yield return new ValidationResult($"Search:MaxRetryDelay ({MaxRetryDelay}) is shorter than Search:RetryDelay ({RetryDelay}).", [nameof(MaxRetryDelay)]);
        }
    }
}
