using System.Text.Json.Serialization;
using ServerlessRec.Evaluation;
using ServerlessRec.Events;

namespace ServerlessRec.Onnx;

/// <summary>
/// <c>models/&lt;version&gt;/model.json</c>: everything serving needs to rebuild a user's vector exactly as
/// training did (dimensions, history length, weights, decay, session rule), the artefacts with their hashes,
/// and the metrics that let the model go live.
/// </summary>
public sealed record ModelManifest
{
    /// <summary>The artefact names.</summary>
    public const string UserTowerFile = "user_tower.onnx";

    /// <summary>
    /// The user tower without its history embedding table: inputs as <see cref="UserTowerFile"/> plus the gathered rows
    /// <c>history_rows</c> [batch, L, D]. Serving in AI Search mode loads it instead of the whole tower.
    /// </summary>
    public const string UserHeadFile = "user_head.onnx";

    /// <summary>The user tower's history embedding table, float32 little-endian [(ItemCount + 1) × Dimensions], row 0 = padding.</summary>
    public const string HistoryEmbeddingsFile = "history_embeddings.f32";

    /// <summary>The item tower.</summary>
    public const string ItemTowerFile = "item_tower.onnx";

    /// <summary>The item vocabulary with features and metadata, one JSON object per line in index order.</summary>
    public const string ItemsFile = "items.jsonl";

    /// <summary>The item vectors computed by the item tower in ONNX Runtime, float32 little-endian [ItemCount × Dimensions].</summary>
    public const string ItemVectorsFile = "item_vectors.f32";

    /// <summary>
    /// The IVF coarse quantiser of the item vectors (<see cref="Retrieval.IvfQuantiser"/>: centroids, the list of every
    /// item, the nprobe chosen at export); present from <see cref="ModelExporter.IvfFromItems"/> items.
    /// </summary>
    public const string IvfFile = "ivf.bin";

    /// <summary>The manifest's own name.</summary>
    public const string FileName = "model.json";

    /// <summary>Gets the model version: the folder name under <c>models/</c>.</summary>
    [JsonPropertyName("version")]
    public required string Version { get; init; }

    /// <summary>Gets when the version was exported.</summary>
    [JsonPropertyName("created")]
    public required DateTimeOffset Created { get; init; }

    /// <summary>Gets the embedding and output dimension of both towers (the length of every user and item vector).</summary>
    [JsonPropertyName("dimensions")]
    public required int Dimensions { get; init; }

    /// <summary>Gets the width of the user tower's hidden layer.</summary>
    [JsonPropertyName("hiddenDimensions")]
    public required int HiddenDimensions { get; init; }

    /// <summary>Gets how many of the most recent history events the user tower reads (the long-term pool).</summary>
    [JsonPropertyName("historyLength")]
    public required int HistoryLength { get; init; }

    /// <summary>Gets the half-life of the time decay of the long-term pool, in days.</summary>
    [JsonPropertyName("decayHalfLifeDays")]
    public required double DecayHalfLifeDays { get; init; }

    /// <summary>Gets the gap that ends a session, in minutes: the short-term pool reads the events since the last such gap.</summary>
    [JsonPropertyName("sessionGapMinutes")]
    public required double SessionGapMinutes { get; init; }

    /// <summary>Gets the cap on the short-term pool: the most recent events of the current session.</summary>
    [JsonPropertyName("sessionMaxEvents")]
    public required int SessionMaxEvents { get; init; }

    /// <summary>Gets the short-term pool's position factor (1, even, in manifests written before it existed).</summary>
    [JsonPropertyName("sessionPositionDecay")]
    public double SessionPositionDecay { get; init; } = 1.0;

    /// <summary>Gets the softmax temperature the model was trained with (score = dot product / temperature).</summary>
    [JsonPropertyName("temperature")]
    public required float Temperature { get; init; }

    /// <summary>Gets the number of hash buckets of the category and tag features.</summary>
    [JsonPropertyName("featureBuckets")]
    public required int FeatureBuckets { get; init; }

    /// <summary>Gets the most hashed features any item has (the width of the item tower's <c>feature_idx</c> input).</summary>
    [JsonPropertyName("maxFeaturesPerItem")]
    public required int MaxFeaturesPerItem { get; init; }

    /// <summary>Gets how many items the vocabulary holds (item indices 1..ItemCount; 0 is padding).</summary>
    [JsonPropertyName("itemCount")]
    public required int ItemCount { get; init; }

    /// <summary>Gets the event types the model was trained with, by name (case-insensitive): their weights and whether they are positive or negative.</summary>
    [JsonPropertyName("eventTypes")]
    public required IReadOnlyDictionary<string, EventTypeDefinition> EventTypes { get; init; }

    /// <summary>Gets the ranking metrics by key (<c>gate.model</c>, <c>gate.popularity</c>, <c>gate.live</c>; see <see cref="ModelMetricKeys"/>); empty when none were recorded.</summary>
    [JsonPropertyName("metrics")]
    public IReadOnlyDictionary<string, RankingMetrics> Metrics { get; init; } = new Dictionary<string, RankingMetrics>();

    /// <summary>Gets facts of the training run by name (<c>epochs</c>, <c>events</c>, <c>users</c>, <c>dataCutoffUnixSeconds</c>: the newest event time trained on, in Unix seconds).</summary>
    [JsonPropertyName("training")]
    public IReadOnlyDictionary<string, double> Training { get; init; } = new Dictionary<string, double>();

    /// <summary>
    /// Gets the name of the newest catalog update blob (<c>catalog/updates/…</c>) the training read, or null when it read
    /// none (or the version predates the field): updates named after it are replayed into the version's index at
    /// activation, and only updates up to it may be compacted while the version is live.
    /// </summary>
    [JsonPropertyName("catalogWatermark")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? CatalogWatermark { get; init; }

    /// <summary>Gets every artefact of the version (file name under <c>models/&lt;version&gt;/</c>) with its SHA-256 and size.</summary>
    [JsonPropertyName("artifacts")]
    public IReadOnlyDictionary<string, ArtifactInfo> Artifacts { get; init; } = new Dictionary<string, ArtifactInfo>();
}
