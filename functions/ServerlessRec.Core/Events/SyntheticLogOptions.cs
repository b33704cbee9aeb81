namespace ServerlessRec.Events;

/// <summary>What <see cref="SyntheticLogGenerator"/> generates.</summary>
public sealed record SyntheticLogOptions
{
    /// <summary>Gets the number of users.</summary>
    /// <value>The default is 1,000 users.</value>
    public int Users { get; init; } = 1_000;

    /// <summary>Gets the number of catalog items (cold items included).</summary>
    /// <value>The default is 500 items.</value>
    public int Items { get; init; } = 500;

    /// <summary>Gets the number of valid events; malformed lines come on top.</summary>
    /// <value>The default is 50,000 events.</value>
    public long Events { get; init; } = 50_000;

    /// <summary>Gets the seed: the same options give the same bytes.</summary>
    /// <value>The default is 42.</value>
    public long Seed { get; init; } = 42;

    /// <summary>Gets the fraction of all lines that are malformed (each in one known way), in [0, 0.5].</summary>
    /// <value>The default is 0.</value>
    public double BadLineFraction { get; init; }

    /// <summary>Gets when the log starts.</summary>
    /// <value>The default is 2026-01-01T00:00:00Z.</value>
    public DateTimeOffset Start { get; init; } = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>Gets over how many days users' sessions are spread (the last sessions may run a little past it).</summary>
    /// <value>The default is 30 days.</value>
    public int Days { get; init; } = 30;

    /// <summary>Gets the number of item categories, 1–64; each item has one or two.</summary>
    /// <value>The default is 20 categories.</value>
    public int Categories { get; init; } = 20;

    /// <summary>Gets the number of latent tastes, 1–64; each user has one to three.</summary>
    /// <value>The default is 12 tastes.</value>
    public int Tastes { get; init; } = 12;

    /// <summary>Gets the fraction of items that are in the catalog but never in an event, in [0, 0.5].</summary>
    /// <value>The default is 0.02.</value>
    public double ColdItemFraction { get; init; } = 0.02;

    /// <summary>Throws when an option is out of range.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(Users, 1, nameof(Users));
        ArgumentOutOfRangeException.ThrowIfLessThan(Items, 1, nameof(Items));
        ArgumentOutOfRangeException.ThrowIfNegative(Events, nameof(Events));
        ArgumentOutOfRangeException.ThrowIfLessThan(Days, 1, nameof(Days));
        if (Categories is < 1 or > 64)
        {
            throw new ArgumentOutOfRangeException(nameof(Categories), Categories, "Categories must be between 1 and 64.");
        }

        if (Tastes is < 1 or > 64)
        {
            throw new ArgumentOutOfRangeException(nameof(Tastes), Tastes, "Tastes must be between 1 and 64.");
        }

        if (BadLineFraction is < 0 or > 0.5 || double.IsNaN(BadLineFraction))
        {
            throw new ArgumentOutOfRangeException(nameof(BadLineFraction), BadLineFraction, "BadLineFraction must be between 0 and 0.5.");
        }

        if (ColdItemFraction is < 0 or > 0.5 || double.IsNaN(ColdItemFraction))
        {
            throw new ArgumentOutOfRangeException(nameof(ColdItemFraction), ColdItemFraction, "ColdItemFraction must be between 0 and 0.5.");
        }
    }
}
