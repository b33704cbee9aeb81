namespace ServerlessRec.Serving;

/// <summary>One entry of the popular list.</summary>
internal sealed record PopularItem(string ItemId, int Index, string[] Categories, bool Available, long Popularity)
{
    public (long Popularity, int Index) Key() => (Popularity, Index);
}
