namespace ServerlessRec.Serving;

/// <summary>How much of a model version a serving instance holds (<c>Search:Provider</c> decides).</summary>
public enum ServingMode
{
    /// <summary>The whole catalog in memory: item vectors, the exact and compressed embedded indexes, the vocabulary and the whole user tower.</summary>
    Embedded,

    /// <summary>
    /// The catalog stays out of the process: the index is remote (Azure AI Search); the vocabulary is compact, popular
    /// items come from a short list, and item vectors and history embeddings are read by row from local files.
    /// </summary>
    RemoteIndex,
}
