using System.ComponentModel.DataAnnotations;
using System.Reflection;
using ServerlessRec.Cli.Settings;
using ServerlessRec.Events;
using ServerlessRec.Http;
using ServerlessRec.Pipeline;
using ServerlessRec.Retrieval;
using ServerlessRec.Serving;
using ServerlessRec.Storage;
using ServerlessRec.Training;

namespace ServerlessRec.Cli.Tests.Settings;

/// <summary>
/// The README's configuration table lists every setting of the options classes the hosts bind, with the CLI flag,
/// default and range the code has (read here by reflection, as <c>ReadmeLimitsTests</c> reads the limits).
/// </summary>
public sealed class ReadmeConfigurationTableTests
{
    private const string Header = "| setting | CLI flag | default | range | meaning |";

    /// <summary>The options classes and the sections they are bound from, in both hosts.</summary>
    private static readonly (string Section, object Defaults)[] Sections =
    [
        (StorageOptions.SectionName, new StorageOptions()),
        (SearchOptions.SectionName, new SearchOptions()),
        (ServingOptions.SectionName, new ServingOptions()),
        (AccessOptions.SectionName, new AccessOptions()),
        (RetrainOptions.SectionName, new RetrainOptions()),
        (TwoTowerOptions.SectionName, new TwoTowerOptions()),
        ($"{EventTypeOptions.SectionName}:{nameof(EventTypeOptions.Types)}:<type>", new EventTypeDefinition()),
    ];

    [Fact]
    public void Readme_ConfigurationTable_ListsEverySettingWithItsFlagDefaultAndRange()
    {
        var expected = ExpectedRows();
        var rows = TableRows();
        var listed = rows.ToDictionary(r => r.Setting, StringComparer.Ordinal);

        var missing = expected.Where(e => !listed.ContainsKey(e.Setting)).Select(e => $"| `{e.Setting}` | {e.Flag} | {e.Default} | {e.Range} | |");
        Assert.True(!missing.Any(), "settings missing from the README configuration table:\n" + string.Join("\n", missing));
        Assert.Empty(rows.Select(r => r.Setting).Except(expected.Select(e => e.Setting)));
        foreach (var setting in expected)
        {
            var row = listed[setting.Setting];
            Assert.Equal((setting.Setting, setting.Flag, setting.Default, setting.Range), (row.Setting, row.Flag, row.Default, row.Range));
            Assert.False(string.IsNullOrWhiteSpace(row.Meaning), $"{setting.Setting} has no meaning in the README");
        }
    }

    private static List<Row> ExpectedRows()
    {
        var context = new CliContext(CliConfiguration.Empty, TimeProvider.System);
        var flags = TrainingFlags.Create(context).Settings.Concat(TrainingFlags.CreateRetrain(context).Settings)
            .ToDictionary(s => s.Property, s => s.Flag);
        var rows = new List<Row>();
        foreach (var (section, defaults) in Sections)
        {
            foreach (var property in defaults.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite))
            {
                var flag = flags.TryGetValue(property, out var f) ? $"`{f}`"
                    : property.DeclaringType == typeof(StorageOptions) && property.Name == nameof(StorageOptions.LocalRoot) ? "`--root`"
                    : property.DeclaringType == typeof(EventTypeDefinition) ? "`--event-types`"
                    : "—";
                var range = property.GetCustomAttribute<RangeAttribute>() is { } r ? SettingRules.Format(r) : "—";
                rows.Add(new Row($"{section}:{property.Name}", flag, Format(property.GetValue(defaults)), range, string.Empty));
            }
        }

        return rows;
    }

    private static string Format(object? value) => value switch
    {
        null => "(none)",
        "" => "(empty)",
        _ => SettingRules.Format(value),
    };

    private static List<Row> TableRows()
    {
        var lines = ReadmeLines();
        var start = Array.IndexOf(lines, Header);
        Assert.True(start >= 0, $"the README has no configuration table starting with {Header}");
        var rows = new List<Row>();
        for (var i = start + 2; i < lines.Length && lines[i].StartsWith('|'); i++)
        {
            var cells = lines[i].Split('|', StringSplitOptions.TrimEntries)[1..^1];
            Assert.True(cells.Length == 5, $"README configuration row has {cells.Length} cells: {lines[i]}");
            rows.Add(new Row(cells[0].Trim('`'), cells[1], cells[2], cells[3], cells[4]));
        }

        return rows;
    }

    private static string[] ReadmeLines()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            var readme = Path.Combine(directory.FullName, "README.md");
            if (File.Exists(readme) && File.Exists(Path.Combine(directory.FullName, "ServerlessRec.sln")))
            {
                return File.ReadAllLines(readme);
            }
        }

        throw new FileNotFoundException("no README.md next to ServerlessRec.sln above the test assembly");
    }

    private sealed record Row(string Setting, string Flag, string Default, string Range, string Meaning);
}
