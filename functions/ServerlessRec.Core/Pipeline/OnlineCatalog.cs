namespace ServerlessRec.Pipeline;

/// <summary>What the metrics need of a model version's catalog: its size and each item's training popularity.</summary>
/// <param name="ItemCount">The items of the version.</param>
/// <param name="Popularity">Positive training events per item id.</param>
public sealed record OnlineCatalog(int ItemCount, IReadOnlyDictionary<string, long> Popularity);
