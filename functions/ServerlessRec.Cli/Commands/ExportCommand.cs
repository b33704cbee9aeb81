using System.Text.Json;
using ServerlessRec.Http;
using ServerlessRec.Serving;
using ServerlessRec.Storage;

namespace ServerlessRec.Cli.Commands;

/// <summary><c>serverlessrec export</c>: everything stored about a user, as <c>GET /api/users/{userId}/export</c> answers it.</summary>
internal sealed class ExportCommand(TimeProvider timeProvider) : ICliCommand
{
    private static readonly JsonSerializerOptions Indented = new(ApiJsonContext.Default.Options) { WriteIndented = true };

    public string Name => "export";

    public string Usage => "--user U [--root DIR] [--out FILE]";

    public string Summary => "Export what is stored about a user (history, forget state, the blobs holding them) as JSON, to stdout or --out.";

    public async Task<int> RunAsync(CliArguments args, TextWriter output, CancellationToken cancellationToken)
    {
        var user = args.RequiredString("user");
        var cli = CliConfiguration.OpenStore(args);
        var outPath = args.String("out");
        args.EnsureAllRead();

        var (histories, forgotten) = UserStores.Open(cli.Store, timeProvider);
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

/// <summary>The history store and tombstones of the configured store.</summary>
internal static class UserStores
{
    public static (UserHistoryStore Histories, ForgottenUsers Forgotten) Open(IBlobStore store, TimeProvider timeProvider)
    {
        var histories = new UserHistoryStore(store);
        return (histories, new ForgottenUsers(store, histories, timeProvider));
    }
}
