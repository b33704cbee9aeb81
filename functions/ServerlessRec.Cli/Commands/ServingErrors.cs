using ServerlessRec.Serving;

namespace ServerlessRec.Cli.Commands;

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
