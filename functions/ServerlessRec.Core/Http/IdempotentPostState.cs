namespace ServerlessRec.Http;

/// <summary>How far a <c>POST /api/events</c> with an <c>Idempotency-Key</c> got.</summary>
public enum IdempotentPostState
{
    /// <summary>Received; the events may or may not be in the log yet (the post is in flight, or it failed or crashed).</summary>
    Received,

    /// <summary>The events are in the log (the commit point); some users' histories may still lack them.</summary>
    Logged,

    /// <summary>The events are in the log and in every user's history; the answer is kept for replays.</summary>
    Complete,
}
