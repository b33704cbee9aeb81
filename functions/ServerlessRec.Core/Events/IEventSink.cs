namespace ServerlessRec.Events;

/// <summary>
/// Receives what <see cref="EventFileReader"/> reads, in file order: every accepted event and every
/// rejected line. Called on the reading thread; keep it cheap (the reader targets millions of lines a second).
/// </summary>
public interface IEventSink : IRejectedLineSink
{
    /// <summary>Called once per accepted event.</summary>
    void OnEvent(in InteractionEvent e);
}
