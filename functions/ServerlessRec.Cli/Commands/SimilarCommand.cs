using ServerlessRec.Serving;
using ServerlessRec.Storage;

namespace ServerlessRec.Cli.Commands;

/// <summary><c>serverlessrec similar</c>: the items whose vectors are closest to an item's.</summary>
internal sealed class SimilarCommand(TimeProvider timeProvider) : ICliCommand
{
    public string Name => "similar";

    public string Usage => "--item I [--k 10] [--json] [--root DIR]";

    public string Summary => "List the items most similar to an item (by item-tower vector) in the live model.";

    public async Task<int> RunAsync(CliArguments args, TextWriter output, CancellationToken cancellationToken)
    {
        var item = args.RequiredString("item");
        var k = args.Int("k", 10, 1, RequestRules.MaxK);
        var json = args.Flag("json");
        var cli = CliConfiguration.OpenStore(args);
        var store = cli.Store;
        args.EnsureAllRead();

        if (!json)
        {
            output.WriteLine(cli.Banner);
        }

        using var models = new LiveModelProvider(store, timeProvider);
        var service = new RecommenderService(models, new UserHistoryStore(store), timeProvider);
        var response = await ServingErrors.RunAsync(() => service.SimilarAsync(item, k, cancellationToken: cancellationToken)).ConfigureAwait(false);
        RecommendCommand.Print(output, response, json);
        return 0;
    }
}

/// <summary>Turns serving failures into one-line CLI errors (exit code 1 or 2), never stack traces.</summary>
internal static class ServingErrors
{
    public static async Task<T> RunAsync<T>(Func<Task<T>> call)
    {
        try
        {
            return await call().ConfigureAwait(false);
        }
        catch (RequestValidationException ex)
        {
            throw new CliUsageException($"{ex.Field}: {ex.Message}");
        }
        catch (NotFoundException ex)
        {
            throw new InvalidDataException(ex.Message, ex);
        }
        catch (ModelUnavailableException ex)
        {
            throw new InvalidDataException($"{ex.Message} (serverlessrec demo trains and activates one)", ex);
        }
    }
}
