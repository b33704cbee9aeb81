namespace ServerlessRec.Retrieval;

/// <summary>One search result.</summary>
/// <param name="ItemId">The item id.</param>
/// <param name="Score">The dot product with the query vector.</param>
public readonly record struct ScoredItem(string ItemId, float Score);
