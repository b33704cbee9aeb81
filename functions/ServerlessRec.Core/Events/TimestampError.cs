namespace ServerlessRec.Events;

/// <summary>Why a timestamp was not accepted.</summary>
internal enum TimestampError
{
    None,
    NotRecognized,
    NoOffset,
    OutOfRange,
}
