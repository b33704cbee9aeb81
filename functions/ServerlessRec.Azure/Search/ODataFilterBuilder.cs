using System.Text;

namespace ServerlessRec.Azure.Search;

/// <summary>
/// Builds the OData <c>$filter</c> of a query from clauses joined by <c>and</c>. Every value is written as a
/// string literal with its single quotes doubled, the only escape OData literals have, so quotes, commas,
/// spaces, parentheses and non-ASCII text stay data and never become filter syntax.
/// </summary>
internal sealed class ODataFilterBuilder
{
    // search.in splits its list on delimiter characters; the first one absent from every value is used.
    private const string DelimiterCandidates = ",|;~^!#";

    private readonly List<string> _clauses = [];

    /// <summary>Writes a string literal: <c>O'Reilly</c> → <c>'O''Reilly'</c>.</summary>
    public static string Literal(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return string.Concat("'", value.Replace("'", "''", StringComparison.Ordinal), "'");
    }

    /// <summary>Adds <c>field eq true</c>.</summary>
    public ODataFilterBuilder IsTrue(string field)
    {
        _clauses.Add($"{field} eq true");
        return this;
    }

    /// <summary>Adds <c>field/any(c: c eq 'a' or c eq 'b')</c>: the collection holds at least one of the values.</summary>
    public ODataFilterBuilder AnyEquals(string collectionField, IEnumerable<string> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var clause = new StringBuilder(collectionField).Append("/any(c: ");
        var first = true;
        foreach (var value in values)
        {
            clause.Append(first ? "c eq " : " or c eq ").Append(Literal(value));
            first = false;
        }

        if (first)
        {
            throw new ArgumentException("at least one value is needed", nameof(values));
        }

        _clauses.Add(clause.Append(')').ToString());
        return this;
    }

    /// <summary>
    /// Adds <c>not search.in(field, 'a,b', ',')</c>, or <c>not (field eq 'a' or field eq 'b')</c> when no
    /// delimiter is free or a value is empty or holds white space (whose trimming search.in does not promise).
    /// </summary>
    public ODataFilterBuilder NotIn(string field, IReadOnlyCollection<string> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (values.Count == 0)
        {
            return this;
        }

        var delimiter = ChooseDelimiter(values);
        if (delimiter is { } d)
        {
            _clauses.Add($"not search.in({field}, {Literal(string.Join(d, values))}, {Literal(d.ToString())})");
            return this;
        }

        var clause = new StringBuilder("not (");
        var first = true;
        foreach (var value in values)
        {
            clause.Append(first ? string.Empty : " or ").Append(field).Append(" eq ").Append(Literal(value));
            first = false;
        }

        _clauses.Add(clause.Append(')').ToString());
        return this;
    }

    /// <summary>Returns the filter, or <see langword="null"/> when there is no clause.</summary>
    public string? Build() => _clauses.Count == 0 ? null : string.Join(" and ", _clauses);

    private static char? ChooseDelimiter(IReadOnlyCollection<string> values)
    {
        foreach (var value in values)
        {
            if (value.Length == 0 || value.Any(char.IsWhiteSpace))
            {
                return null;
            }
        }

        foreach (var candidate in DelimiterCandidates)
        {
            if (!values.Any(v => v.Contains(candidate, StringComparison.Ordinal)))
            {
                return candidate;
            }
        }

        return null;
    }
}
