using System.ComponentModel.DataAnnotations;

namespace ServerlessRec.Serving;

/// <summary>Options of the serving path, bound from the <c>Serving</c> configuration section.</summary>
public sealed class ServingOptions
{
    /// <summary>The configuration section name.</summary>
    public const string SectionName = "Serving";

    /// <summary>The default of <see cref="SearchTimeout"/>: 2 seconds.</summary>
    public static readonly TimeSpan DefaultSearchTimeout = TimeSpan.FromSeconds(2);

    /// <summary>The default of <see cref="DegradedFor"/>: 1 minute.</summary>
    public static readonly TimeSpan DefaultDegradedFor = TimeSpan.FromMinutes(1);

    /// <summary>
    /// Gets or sets how long one request may wait for a remote index (Azure AI Search, opening included) before it
    /// is answered from the instance's own vectors, or from popular items, with <c>source: "fallback"</c>.
    /// </summary>
    /// <value>The default is 2 seconds (the search service answers in tens of milliseconds when healthy; its client's
    /// own retries would otherwise hold a request for about 30 seconds).</value>
    [Range(typeof(TimeSpan), "00:00:00.050", "00:01:00")]
    public TimeSpan SearchTimeout { get; set; } = DefaultSearchTimeout;

    /// <summary>Gets or sets how long <c>/api/health</c> keeps answering <c>degraded</c> after the last failed search.</summary>
    /// <value>The default is 1 minute.</value>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan DegradedFor { get; set; } = DefaultDegradedFor;

    /// <summary>
    /// Gets or sets the share of each list's slots reserved for new items (<see cref="NewItemMaxAge"/>,
    /// <see cref="NewItemMaxInteractions"/>): the most relevant new items the ranking did not place take evenly spaced
    /// slots, marked <c>exploration: true</c>. The request's <c>exploration</c> share comes on top, the two together at
    /// most half the list (new items are placed first). 0 turns it off.
    /// </summary>
    /// <value>The default is 0.1 (one slot in ten).</value>
    [Range(0.0, 0.5)]
    public double NewItemShare { get; set; } = 0.1;

    /// <summary>Gets or sets how long after the catalog API first named an item it counts as new.</summary>
    /// <value>The default is 7 days.</value>
    [Range(typeof(TimeSpan), "00:00:00", "365.00:00:00")]
    public TimeSpan NewItemMaxAge { get; set; } = TimeSpan.FromDays(7);

    /// <summary>
    /// Gets or sets the number of positive training events below which any item counts as new (whatever its age).
    /// </summary>
    /// <value>The default is 0: only the age rule applies (items from the bulk catalog are not "new" by default).</value>
    [Range(0, int.MaxValue)]
    public int NewItemMaxInteractions { get; set; }

    /// <summary>
    /// Gets or sets the catalog size from which the embedded index searches a version's IVF lists (when its export
    /// trained them) instead of scanning every item.
    /// </summary>
    /// <value>The default is <see cref="ServingModel.IvfFromItems"/>.</value>
    [Range(1, int.MaxValue)]
    public int IvfFromItems { get; set; } = ServingModel.IvfFromItems;

    /// <summary>The default of <see cref="ImpressionSampleRate"/>: 0.1.</summary>
    public const double DefaultImpressionSampleRate = 0.1;

    /// <summary>
    /// Gets or sets the share of recommendation and similar-items responses whose items the server logs as impressions
    /// (<see cref="ImpressionLog"/>), for the online metrics. Chosen by the response's id, so clicks are attributed only to
    /// logged responses and the click-through rate is unbiased at any rate; 0 logs nothing (clients may still post
    /// <c>impression</c> events), 1 logs every response.
    /// </summary>
    /// <value>The default is 0.1: one extra append (one storage write, a few milliseconds) on one response in ten, which at
    /// 10 requests/s still logs 86,400 responses a day.</value>
    [Range(0.0, 1.0)]
    public double ImpressionSampleRate { get; set; } = DefaultImpressionSampleRate;
}
