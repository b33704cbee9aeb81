using System.Globalization;
using System.Text;
using ServerlessRec.Storage;
using ServerlessRec.Tests.Storage;

namespace ServerlessRec.Core.Tests;

/// <summary>
/// The entry point of the test assembly (the test SDK's generated one is turned off), so a test can run
/// this assembly as a second process: <c>dotnet exec ServerlessRec.Core.Tests.dll blob-store-worker …</c>.
/// </summary>
internal static class TestProgram
{
    public const string BlobStoreWorkerVerb = "blob-store-worker";

    /// <summary>What the worker prints when it is about to start, so both processes run at the same time.</summary>
    public const string WorkerReadyLine = "ready";

    public static async Task<int> Main(string[] args)
    {
        if (args is [BlobStoreWorkerVerb, string root, string container, string count, string tag])
        {
            await RunBlobStoreWorkerAsync(root, container, int.Parse(count, CultureInfo.InvariantCulture), tag);
            return 0;
        }

        await Console.Error.WriteLineAsync($"usage: {BlobStoreWorkerVerb} ROOT CONTAINER COUNT TAG");
        return 2;
    }

    // Increments counter.txt and appends one record to log.jsonl, COUNT times, against the folder store at ROOT.
    private static async Task RunBlobStoreWorkerAsync(string root, string container, int count, string tag)
    {
        LocalFolderBlobStore store = new(new StorageOptions { LocalRoot = root });
        await store.GetPropertiesAsync(container, "counter.txt");
        Console.WriteLine(WorkerReadyLine);
        for (int i = 0; i < count; i++)
        {
            await BlobStoreContractTests.IncrementAsync(store, container, "counter.txt");
            await store.AppendAsync(container, "log.jsonl", Encoding.UTF8.GetBytes(CrossProcessRecord(tag, i)));
        }
    }

    public static string CrossProcessRecord(string tag, int i) =>
        $"{tag}-{i.ToString("D3", CultureInfo.InvariantCulture)}-{new string('x', 2000)}\n";
}
