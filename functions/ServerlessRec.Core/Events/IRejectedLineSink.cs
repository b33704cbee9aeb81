namespace ServerlessRec.Events;

/// <summary>Receives the lines a reader rejected (to count them, log them or quarantine them).</summary>
public interface IRejectedLineSink
{
    /// <summary>Called once per rejected line, in file order.</summary>
    void OnRejected(RejectedLine line);
}
