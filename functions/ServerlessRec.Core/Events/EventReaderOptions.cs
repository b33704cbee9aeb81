using System.ComponentModel.DataAnnotations;

namespace ServerlessRec.Events;

/// <summary>Limits of <see cref="EventFileReader"/> and <see cref="CatalogReader"/>, bound from the <c>EventReader</c> section.</summary>
public sealed class EventReaderOptions
{
    /// <summary>The configuration section name.</summary>
    public const string SectionName = "EventReader";

    /// <summary>The default of <see cref="MaxLineBytes"/>: 64 KiB.</summary>
    public const int DefaultMaxLineBytes = 64 * 1024;

    /// <summary>The smallest allowed <see cref="MaxLineBytes"/>.</summary>
    public const int MinMaxLineBytes = 256;

    /// <summary>The largest allowed <see cref="MaxLineBytes"/>: 16 MiB.</summary>
    public const int MaxMaxLineBytes = 16 * 1024 * 1024;

    /// <summary>The event contract's limit on <c>userId</c> and <c>itemId</c>, in UTF-16 characters.</summary>
    public const int MaxIdLength = 128;

    /// <summary>
    /// Gets or sets the longest accepted line in bytes, without its line break. A longer line is rejected
    /// as <c>line-too-long</c> and skipped without being buffered whole, so memory per file stays constant.
    /// </summary>
    /// <value>The default is 64 KiB.</value>
    [Range(MinMaxLineBytes, MaxMaxLineBytes)]
    public int MaxLineBytes { get; set; } = DefaultMaxLineBytes;

    internal void Validate()
    {
        if (MaxLineBytes is < MinMaxLineBytes or > MaxMaxLineBytes)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxLineBytes), MaxLineBytes, $"MaxLineBytes must be between {MinMaxLineBytes} and {MaxMaxLineBytes}.");
        }
    }
}
