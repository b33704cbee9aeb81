namespace ServerlessRec.Events;

/// <summary>
/// Which columns of a CSV/TSV file hold the parts of an <see cref="InteractionEvent"/>. Column names are
/// matched against the header case-insensitively (or against <see cref="EventFileFormat.ColumnNames"/>
/// for a file without a header). Every mapped column must exist, or reading fails for the whole file.
/// </summary>
public sealed record DelimitedColumnMapping
{
    /// <summary>Gets the columns of the event contract: <c>userId,itemId,type,timestamp,value</c>, timestamps as in JSON Lines.</summary>
    public static DelimitedColumnMapping Contract { get; } = new();

    /// <summary>Gets the columns of MovieLens <c>ratings.csv</c>: <c>userId,movieId,rating,timestamp</c> as type <c>rating</c>, value = rating, Unix seconds.</summary>
    public static DelimitedColumnMapping MovieLensRatings { get; } = new()
    {
        Item = "movieId",
        Type = null,
        FixedType = "rating",
        Value = "rating",
        TimestampFormat = DelimitedTimestampFormat.UnixSeconds,
    };

    /// <summary>Gets the user id column.</summary>
    /// <value>The default is <c>userId</c>.</value>
    public string User { get; init; } = "userId";

    /// <summary>Gets the item id column.</summary>
    /// <value>The default is <c>itemId</c>.</value>
    public string Item { get; init; } = "itemId";

    /// <summary>Gets the timestamp column.</summary>
    /// <value>The default is <c>timestamp</c>.</value>
    public string Timestamp { get; init; } = "timestamp";

    /// <summary>Gets the event type column, or <see langword="null"/> when every line has <see cref="FixedType"/>.</summary>
    /// <value>The default is <c>type</c>.</value>
    public string? Type { get; init; } = "type";

    /// <summary>Gets the type of every event of the file, used when <see cref="Type"/> is <see langword="null"/>.</summary>
    public string? FixedType { get; init; }

    /// <summary>Gets the optional value column (an empty cell means no value), or <see langword="null"/> for none.</summary>
    /// <value>The default is <c>value</c>.</value>
    public string? Value { get; init; } = "value";

    /// <summary>Gets how timestamps are written.</summary>
    /// <value>The default is <see cref="DelimitedTimestampFormat.Auto"/>.</value>
    public DelimitedTimestampFormat TimestampFormat { get; init; } = DelimitedTimestampFormat.Auto;

    /// <summary>Throws when the mapping cannot describe an event.</summary>
    /// <exception cref="ArgumentException">A required column is empty, or neither (or both) of <see cref="Type"/> and <see cref="FixedType"/> is set.</exception>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(User) || string.IsNullOrWhiteSpace(Item) || string.IsNullOrWhiteSpace(Timestamp))
        {
            throw new ArgumentException("The user, item and timestamp columns must be named.");
        }

        if (string.IsNullOrWhiteSpace(Type) == string.IsNullOrWhiteSpace(FixedType))
        {
            throw new ArgumentException("Set exactly one of the type column and the fixed type.");
        }

        if (Value is { Length: 0 })
        {
            throw new ArgumentException("The value column name is empty; use null for no value column.");
        }
    }
}
