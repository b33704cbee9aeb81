using System.CommandLine;
using System.Text.Json;
using ServerlessRec.Cli.Settings;
using ServerlessRec.Http;
using ServerlessRec.Serving;

namespace ServerlessRec.Cli.Commands;

/// <summary><c>serverlessrec export</c>: everything stored about a user, as <c>GET /api/users/{userId}/export</c> answers it.</summary>
internal sealed class ExportCommand : CliCommand
{
    private static readonly JsonSerializerOptions Indented = new(ApiJsonContext.Default.Options) { WriteIndented = true };

    private readonly Option<string> _user = new("--user") { Description = "The user id.", Required = true, HelpName = "U" };
    private readonly Option<string> _out = new("--out") { Description = "Write the JSON to this file instead of the output.", HelpName = "FILE" };
    private readonly StoreOption _store;

    public ExportCommand(CliContext context)
        : base(context, "export", "Export what is stored about a user (history, forget state, the blobs holding them) as JSON, to stdout or --out.")
    {
        _store = new StoreOption(context);
        Options.Add(_user);
        Options.Add(_store.Option);
        Options.Add(_out);
    }

    protected override async Task<int> RunAsync(ParseResult parse, TextWriter output, CancellationToken cancellationToken)
    {
        var user = parse.GetRequiredValue(_user);
        var cli = _store.Open(parse);
        var outPath = parse.GetValue(_out);

        var (histories, forgotten) = UserStores.Open(cli.Store, Context.Time);
        var export = await ServingErrors.RunAsync(() =>
        {
            RequestRules.Id(user, "user");
            return new UserDataExporter(histories, forgotten).ExportAsync(user, cancellationToken);
        }).ConfigureAwait(false);
        var json = JsonSerializer.Serialize(export, Indented);
        if (outPath is null)
        {
            output.WriteLine(json);
        }
        else
        {
            await File.WriteAllTextAsync(outPath, json + Environment.NewLine, cancellationToken).ConfigureAwait(false);
            output.WriteLine($"wrote the export of user \"{user}\" ({export.Events.Count} events, {export.Blobs.Count} blobs) from {cli.Description} to {outPath}");
        }

        return 0;
    }
}
