using System.Globalization;
using ServerlessRec.Storage;

namespace ServerlessRec.Events;

/// <summary>
/// Appends events posted to <c>/api/events</c> to the events container as contract JSON Lines, one blob per
/// host instance and hour: <c>yyyy/MM/dd/HH/api-&lt;instance&gt;.jsonl</c> (the hour the events were received).
/// Retraining reads these blobs like any other log file.
/// </summary>
public sealed class ApiEventLog
{
    private readonly IBlobStore _store;
    private readonly TimeProvider _time;
    private readonly string _container;

    /// <summary>Creates the log.</summary>
    /// <param name="store">The store holding the events container.</param>
    /// <param name="time">The clock that picks the hour folder.</param>
    /// <param name="instanceId">This host instance's id: letters, digits, '-', '_' and '.'; other characters become '-'.</param>
    /// <param name="container">The events container.</param>
    public ApiEventLog(IBlobStore store, TimeProvider time, string instanceId, string container = ContainerNames.Events)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentException.ThrowIfNullOrEmpty(instanceId);
        _store = store;
        _time = time;
        _container = container;
        InstanceId = string.Create(instanceId.Length, instanceId, static (span, id) =>
        {
            for (var i = 0; i < id.Length; i++)
            {
                span[i] = char.IsAsciiLetterOrDigit(id[i]) || id[i] is '-' or '_' or '.' ? id[i] : '-';
            }
        });
    }

    /// <summary>Gets the instance id used in blob names.</summary>
    public string InstanceId { get; }

    /// <summary>Returns the blob name this instance appends to at <paramref name="time"/>.</summary>
    public string BlobName(DateTimeOffset time)
    {
        var utc = time.UtcDateTime;
        return string.Create(CultureInfo.InvariantCulture, $"{utc:yyyy}/{utc:MM}/{utc:dd}/{utc:HH}/api-{InstanceId}.jsonl");
    }

    /// <summary>Appends validated events in one append (one JSON line each); returns the blob name.</summary>
    public async Task<string> AppendAsync(IReadOnlyList<InteractionEvent> events, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(events);
        var name = BlobName(_time.GetUtcNow());
        if (events.Count == 0)
        {
            return name;
        }

        using var lines = new JsonLineBuffer(events.Count * 128);
        foreach (var e in events)
        {
            lines.WriteEvent(e);
        }

        await _store.AppendAsync(_container, name, lines.Written, cancellationToken).ConfigureAwait(false);
        return name;
    }
}
