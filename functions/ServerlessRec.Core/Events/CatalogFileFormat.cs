namespace ServerlessRec.Events;

/// <summary>The catalog files <see cref="CatalogReader"/> understands.</summary>
public enum CatalogFileFormat
{
    /// <summary><c>items.jsonl</c>: <c>itemId</c>, <c>title</c>, <c>categories[]</c>, <c>tags[]</c>, <c>available</c>.</summary>
    JsonLines,

    /// <summary>MovieLens <c>movies.csv</c>: <c>movieId,title,genres</c> with genres separated by '|'.</summary>
    MovieLensMovies,
}
