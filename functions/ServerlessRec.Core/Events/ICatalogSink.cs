namespace ServerlessRec.Events;

/// <summary>Receives what <see cref="CatalogReader"/> reads, in file order.</summary>
public interface ICatalogSink : IRejectedLineSink
{
    /// <summary>Called once per accepted item. Duplicated ids are passed on as they come; the consumer decides (later wins, usually).</summary>
    void OnItem(CatalogItem item);
}
