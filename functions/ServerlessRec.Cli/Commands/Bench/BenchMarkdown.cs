using System.Globalization;
using System.Text;

namespace ServerlessRec.Cli.Commands.Bench;

/// <summary>Builds the Markdown of a suite: a heading with the machine, notes, tables and targets.</summary>
internal sealed class BenchMarkdown
{
    private readonly StringBuilder _text = new();

    public BenchMarkdown(string suite, BenchEnvironment environment, string details)
    {
        _text.AppendLine(CultureInfo.InvariantCulture, $"## bench {suite} ({environment.Describe()}{(details.Length > 0 ? ", " + details : string.Empty)})");
        _text.AppendLine();
    }

    public BenchMarkdown Note(string line)
    {
        _text.AppendLine("- " + line);
        return this;
    }

    public BenchMarkdown Table(IReadOnlyList<string> headers, IEnumerable<IReadOnlyList<string>> rows)
    {
        _text.AppendLine();
        _text.AppendLine("| " + string.Join(" | ", headers) + " |");
        _text.AppendLine("|" + string.Concat(headers.Select((_, i) => i == 0 ? ":--|" : "---:|")));
        foreach (var row in rows)
        {
            _text.AppendLine("| " + string.Join(" | ", row) + " |");
        }

        _text.AppendLine();
        return this;
    }

    public BenchMarkdown Targets(IEnumerable<BenchTarget> targets)
    {
        foreach (var target in targets)
        {
            _text.AppendLine(target.ToMarkdown());
        }

        return this;
    }

    public override string ToString() => _text.ToString();

    /// <summary>Formats a number for a table cell (invariant culture).</summary>
    public static string F(double value, int decimals = 2) => value.ToString("N" + decimals.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
}
