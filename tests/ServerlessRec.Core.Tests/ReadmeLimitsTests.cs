using ServerlessRec.Events;
using ServerlessRec.Http;
using ServerlessRec.Pipeline;
using ServerlessRec.Retrieval;
using ServerlessRec.Serving;

namespace ServerlessRec.Core.Tests;

/// <summary>The README's limits table states the values the code has.</summary>
public sealed class ReadmeLimitsTests
{
    public static TheoryData<string, string> Rows => new()
    {
        { "request body, any route", $"{RequestBody.MaxBytes / 1024} KiB" },
        { "events per `POST /api/events`", $"{ServingEndpoints.MaxEventsPerPost}" },
        { "`userId`, `itemId`, category ids", $"1–{RequestRules.MaxIdLength} characters, no control characters" },
        { "`k` (recommendations, similar items)", $"1–{RequestRules.MaxK}" },
        { "`recentEvents` per recommendation request", $"{RequestRules.MaxRequestEvents}" },
        { "`filter.excludeItemIds` per recommendation request", $"{RequestRules.MaxExcludeItemIds}" },
        { "`filter.categories` per recommendation request", $"{RequestRules.MaxCategories}" },
        { "stored history per user", $"newest {UserHistoryStore.DefaultCapacity} positive events and newest {UserHistoryStore.DefaultCapacity} rejected ones" },
        { "write attempts on one user's history under contention", $"{UserHistoryStore.DefaultMaxAttempts}" },
        { "user id in logs and error messages", $"{UserIdHasher.LogLength} hex characters of its HMAC-SHA256" },
        { "event file line", $"{EventReaderOptions.DefaultMaxLineBytes / 1024} KiB ({EventReaderOptions.MinMaxLineBytes} B–{EventReaderOptions.MaxMaxLineBytes / 1024 / 1024} MiB)" },
        { "rejected lines kept per source file", $"{QuarantineWriter.DefaultMaxLinesPerFile:N0}" },
        { "attempts per retraining step", $"{new RetrainOptions().MaxAttempts}, first retry after {new RetrainOptions().FirstRetryInterval.TotalSeconds} s" },
        { "model versions kept", $"{new RetrainOptions().KeepVersions}" },
        { "event `value` (posted, `recentEvents`, every file format)", $"-{EventValueRange.MaxMagnitude:N0} to {EventValueRange.MaxMagnitude:N0}, finite" },
        { "appends per API event log blob", $"{ServerlessRec.Storage.BlobAppendLimits.MaxBlocksPerBlob:N0}" },
        { "`Idempotency-Key` of `POST /api/events`", $"1–{IdempotencyMarkers.MaxKeyLength} visible ASCII characters, honoured {IdempotencyMarkers.Retention.TotalHours} h" },
        { "AI Search upload batch", $"{SearchOptions.MaxUploadBatchSize} documents, {SearchOptions.DefaultMaxRetries} retries" },
    };

    [Theory]
    [MemberData(nameof(Rows))]
    public void Readme_LimitsTable_StatesTheValueInTheCode(string limit, string value)
    {
        var row = ReadmeLines().SingleOrDefault(l => l.StartsWith($"| {limit} |", StringComparison.Ordinal));

        Assert.NotNull(row);
        Assert.Equal(value, row.Split('|', StringSplitOptions.TrimEntries)[2]);
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
}
