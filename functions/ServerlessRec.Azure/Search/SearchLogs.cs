using Microsoft.Extensions.Logging;

namespace ServerlessRec.Azure.Search;

/// <summary>Log messages of the Azure AI Search backend (event ids 5100–5199).</summary>
internal static partial class SearchLogs
{
    [LoggerMessage(EventId = 5101, Level = LogLevel.Information, Message = "Created Azure AI Search index {IndexName} ({Dimensions} dimensions)")]
    public static partial void IndexCreated(this ILogger logger, string indexName, int dimensions);

    [LoggerMessage(EventId = 5102, Level = LogLevel.Debug, Message = "Uploaded {Count} documents (at most {Bytes} bytes) to {IndexName}")]
    public static partial void BatchUploaded(this ILogger logger, int count, long bytes, string indexName);

    [LoggerMessage(EventId = 5103, Level = LogLevel.Warning, Message = "{Failed} of {Sent} documents sent to {IndexName} failed with a transient status (first {Status}); retry {Attempt} in {Delay}")]
    public static partial void DocumentsRetried(this ILogger logger, int failed, int sent, string indexName, int status, int attempt, TimeSpan delay);

    [LoggerMessage(EventId = 5104, Level = LogLevel.Information, Message = "Deleted Azure AI Search index {IndexName}")]
    public static partial void IndexDeleted(this ILogger logger, string indexName);
}
