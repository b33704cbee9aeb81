namespace ServerlessRec.Events;

/// <summary>Where one field of a delimited line is.</summary>
internal readonly record struct FieldRange(int Start, int Length, bool HasEscapedQuotes);
