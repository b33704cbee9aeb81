using ServerlessRec.Events;

namespace ServerlessRec.Core.Tests.Events;

/// <summary>Keeps everything a reader produced, for assertions.</summary>
internal sealed class CollectingSink : IEventSink, ICatalogSink
{
    public List<InteractionEvent> Events { get; } = [];

    public List<CatalogItem> Items { get; } = [];

    public List<RejectedLine> Rejected { get; } = [];

    public void OnEvent(in InteractionEvent e) => Events.Add(e);

    public void OnItem(CatalogItem item) => Items.Add(item);

    public void OnRejected(RejectedLine line) => Rejected.Add(line);
}
