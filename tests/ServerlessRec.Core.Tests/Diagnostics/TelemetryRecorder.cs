using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using ServerlessRec.Diagnostics;

namespace ServerlessRec.Core.Tests.Diagnostics;

/// <summary>One measurement of an instrument, with its tags.</summary>
public sealed record RecordedMeasurement(string Instrument, double Value, IReadOnlyDictionary<string, object?> Tags)
{
    public string? Tag(string name) => Tags.TryGetValue(name, out var value) ? value?.ToString() : null;
}

/// <summary>
/// Listens to the instruments of one <see cref="ServerlessRecTelemetry"/> (not to other tests' instances, which run in
/// parallel) and to the activities of the <c>ServerlessRec</c> source started under this recorder's root activity.
/// </summary>
public sealed class TelemetryRecorder : IDisposable
{
    private readonly MeterListener _meters = new();
    private readonly ActivityListener _activities;
    private readonly ConcurrentQueue<RecordedMeasurement> _measurements = new();
    private readonly ConcurrentQueue<Activity> _stopped = new();
    private readonly Activity _root;

    public TelemetryRecorder(ServerlessRecTelemetry telemetry)
    {
        _meters.InstrumentPublished = (instrument, listener) =>
        {
            if (ReferenceEquals(instrument.Meter, telemetry.Meter))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _meters.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Add(instrument, value, tags));
        _meters.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Add(instrument, value, tags));
        _meters.Start();

        _activities = new ActivityListener
        {
            ShouldListenTo = source => source.Name == ServerlessRecTelemetry.Name,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity => _stopped.Enqueue(activity),
        };
        ActivitySource.AddActivityListener(_activities);

        // Activities started by the code under test (on this async flow) are children of this one: other tests' are not.
        _root = new Activity("telemetry-test").Start();
    }

    public IReadOnlyList<RecordedMeasurement> Of(string instrument) => [.. _measurements.Where(m => m.Instrument == instrument)];

    public IReadOnlyList<Activity> Activities(string name) => [.. _stopped.Where(a => a.OperationName == name && a.TraceId == _root.TraceId)];

    /// <summary>Activities of any trace (the Durable Task engine runs activities outside the test's flow).</summary>
    public IReadOnlyList<Activity> AnyTraceActivities(Func<Activity, bool> match) => [.. _stopped.Where(match)];

    public void Dispose()
    {
        _root.Stop();
        _activities.Dispose();
        _meters.Dispose();
    }

    private void Add(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var copy = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var (key, tagValue) in tags)
        {
            copy[key] = tagValue;
        }

        _measurements.Enqueue(new RecordedMeasurement(instrument.Name, value, copy));
    }
}
