using System.ComponentModel.DataAnnotations;

namespace ServerlessRec.Events;

/// <summary>How one event type counts: its weight in a user's history, and whether it is a negative signal.</summary>
public sealed class EventTypeDefinition
{
    /// <summary>Gets or sets the weight of a positive event of this type.</summary>
    /// <value>The default is 1.</value>
    [Range(0.0, 1000.0)]
    public float Weight { get; set; } = 1f;

    /// <summary>Gets or sets a value indicating whether the weight is multiplied by the event's <c>value</c> (ratings).</summary>
    public bool ScaleByValue { get; set; }

    /// <summary>Gets or sets a value indicating whether every event of this type is negative (skip, dislike).</summary>
    public bool Negative { get; set; }

    /// <summary>Gets or sets a threshold: an event whose value is below it is negative (a low rating). Unset means never.</summary>
    public double? NegativeBelow { get; set; }

    /// <summary>
    /// Gets or sets a value indicating whether an event of this type only records that an item was shown (an
    /// <c>impression</c>): neither positive nor negative, it is never training or evaluation input and never enters a
    /// user's history; the online metrics count it as exposure.
    /// </summary>
    public bool Exposure { get; set; }
}
