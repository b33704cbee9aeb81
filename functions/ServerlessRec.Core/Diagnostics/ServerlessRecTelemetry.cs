using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace ServerlessRec.Diagnostics;

/// <summary>
/// The metrics and traces of ServerlessRec, on <see cref="System.Diagnostics"/> only: one <see cref="Meter"/> and one
/// <see cref="ActivitySource"/>, both named <see cref="Name"/>, which the hosts add to OpenTelemetry (the Functions app
/// exports them to Application Insights, <c>serve</c> to the console or OTLP when configured). Nothing is recorded
/// unless a listener subscribes, so the instruments cost almost nothing when telemetry is off. One per process
/// (a DI singleton); thread-safe.
/// </summary>
public sealed class ServerlessRecTelemetry : IDisposable
{
    /// <summary>The name of the meter and of the activity source.</summary>
    public const string Name = "ServerlessRec";

    /// <summary>Histogram, ms: how long a recommendation (or similar-items) request took in the engine; tags <c>source</c>, <c>model.version</c>.</summary>
    public const string RecommendationDuration = "serverlessrec.recommendation.duration";

    /// <summary>Counter: remote-index searches answered by the fallback; tag <c>reason</c>.</summary>
    public const string RecommendationFallbacks = "serverlessrec.recommendation.fallbacks";

    /// <summary>Histogram, ms: how long reading one user's stored history took.</summary>
    public const string HistoryReadDuration = "serverlessrec.history.read.duration";

    /// <summary>Counter: events accepted by <c>POST /api/events</c> (written to the event log); tag <c>type</c>.</summary>
    public const string EventsAccepted = "serverlessrec.events.accepted";

    /// <summary>Counter: posts to <c>POST /api/events</c> that were refused; tag <c>reason</c> (the invalid field, indexes removed).</summary>
    public const string EventsRejected = "serverlessrec.events.rejected";

    /// <summary>Histogram, s: how long one retraining activity took; tags <c>step</c>, <c>outcome</c> (succeeded | failed).</summary>
    public const string RetrainStepDuration = "serverlessrec.retrain.step.duration";

    /// <summary>Counter: finished retraining runs; tag <c>outcome</c> (activated | rejected | failed | skipped).</summary>
    public const string RetrainRuns = "serverlessrec.retrain.runs";

    /// <summary>Counter: lines (and users) a retraining put in quarantine; tag <c>reason</c>.</summary>
    public const string RetrainQuarantined = "serverlessrec.retrain.quarantined";

    /// <summary>Counter: model versions made live; tags <c>model.version</c>, <c>trigger</c> (retrain | rollback).</summary>
    public const string ModelActivations = "serverlessrec.model.activations";

    /// <summary>Counter: model versions a serving instance could not load; tag <c>model.version</c>.</summary>
    public const string ModelLoadFailures = "serverlessrec.model.load.failures";

    /// <summary>Counter: items of sampled responses written to the impression log; tags <c>source</c>, <c>outcome</c> (logged | failed).</summary>
    public const string ImpressionsLogged = "serverlessrec.impressions.logged";

    /// <summary>Gauge: impressions in the online-metrics window of the last retraining run; tags <c>model.version</c>, <c>arm</c>, <c>source</c>.</summary>
    public const string OnlineImpressions = "serverlessrec.online.impressions";

    /// <summary>Gauge: click-through rate at 10 (attributed clicks at positions below 10 / impressions there); tags as <see cref="OnlineImpressions"/>.</summary>
    public const string OnlineCtr = "serverlessrec.online.ctr";

    /// <summary>Gauge: attributed conversions (purchase, like); tags as <see cref="OnlineImpressions"/>.</summary>
    public const string OnlineConversions = "serverlessrec.online.conversions";

    /// <summary>Gauge: distinct exposed items / catalog size; tags as <see cref="OnlineImpressions"/>.</summary>
    public const string OnlineCoverage = "serverlessrec.online.coverage";

    /// <summary>Gauge: Gini coefficient of impressions over the catalog (0 even, 1 all on one item); tags as <see cref="OnlineImpressions"/>.</summary>
    public const string OnlineGini = "serverlessrec.online.gini";

    /// <summary>Gauge: mean training popularity (positive events) of exposed items, per impression; tags as <see cref="OnlineImpressions"/>.</summary>
    public const string OnlinePopularity = "serverlessrec.online.popularity";

    /// <summary>The <c>reason</c> of users whose history the seeding step could not write.</summary>
    public const string SeedHistoryFailedReason = "history-write-failed";

    private readonly Meter? _ownMeter;
    private readonly Histogram<double> _recommendationDuration;
    private readonly Counter<long> _fallbacks;
    private readonly Histogram<double> _historyReadDuration;
    private readonly Counter<long> _eventsAccepted;
    private readonly Counter<long> _eventsRejected;
    private readonly Histogram<double> _retrainStepDuration;
    private readonly Counter<long> _retrainRuns;
    private readonly Counter<long> _quarantined;
    private readonly Counter<long> _activations;
    private readonly Counter<long> _loadFailures;
    private readonly Counter<long> _impressionsLogged;
    private readonly Gauge<long> _onlineImpressions;
    private readonly Gauge<double> _onlineCtr;
    private readonly Gauge<long> _onlineConversions;
    private readonly Gauge<double> _onlineCoverage;
    private readonly Gauge<double> _onlineGini;
    private readonly Gauge<double> _onlinePopularity;

    /// <summary>Creates the instruments.</summary>
    /// <param name="meterFactory">The host's meter factory (it owns the meter); without one the meter is created and disposed here.</param>
    public ServerlessRecTelemetry(IMeterFactory? meterFactory = null)
    {
        Meter = meterFactory?.Create(Name) ?? (_ownMeter = new Meter(Name));
        ActivitySource = new ActivitySource(Name);
        _recommendationDuration = Meter.CreateHistogram<double>(RecommendationDuration, "ms", "Time the engine took to answer a recommendation or similar-items request");
        _fallbacks = Meter.CreateCounter<long>(RecommendationFallbacks, "{search}", "Remote-index searches answered by the fallback");
        _historyReadDuration = Meter.CreateHistogram<double>(HistoryReadDuration, "ms", "Time to read one user's stored history");
        _eventsAccepted = Meter.CreateCounter<long>(EventsAccepted, "{event}", "Events accepted by POST /api/events");
        _eventsRejected = Meter.CreateCounter<long>(EventsRejected, "{post}", "Posts to POST /api/events refused as invalid");
        _retrainStepDuration = Meter.CreateHistogram<double>(RetrainStepDuration, "s", "Time one retraining activity took");
        _retrainRuns = Meter.CreateCounter<long>(RetrainRuns, "{run}", "Finished retraining runs");
        _quarantined = Meter.CreateCounter<long>(RetrainQuarantined, "{line}", "Lines and users a retraining put in quarantine");
        _activations = Meter.CreateCounter<long>(ModelActivations, "{activation}", "Model versions made live");
        _loadFailures = Meter.CreateCounter<long>(ModelLoadFailures, "{failure}", "Model versions a serving instance could not load");
        _impressionsLogged = Meter.CreateCounter<long>(ImpressionsLogged, "{impression}", "Items of sampled responses written to the impression log");
        _onlineImpressions = Meter.CreateGauge<long>(OnlineImpressions, "{impression}", "Impressions in the last online-metrics window");
        _onlineCtr = Meter.CreateGauge<double>(OnlineCtr, "1", "Click-through rate at 10 in the last online-metrics window");
        _onlineConversions = Meter.CreateGauge<long>(OnlineConversions, "{conversion}", "Attributed conversions in the last online-metrics window");
        _onlineCoverage = Meter.CreateGauge<double>(OnlineCoverage, "1", "Share of the catalog exposed in the last online-metrics window");
        _onlineGini = Meter.CreateGauge<double>(OnlineGini, "1", "Gini coefficient of exposure over the catalog in the last online-metrics window");
        _onlinePopularity = Meter.CreateGauge<double>(OnlinePopularity, "{event}", "Mean training popularity of exposed items in the last online-metrics window");
    }

    /// <summary>Gets the meter that holds the instruments.</summary>
    public Meter Meter { get; }

    /// <summary>Gets the source of the recommendation and retraining-step activities.</summary>
    public ActivitySource ActivitySource { get; }

    /// <summary>Records an answered recommendation.</summary>
    public void RecommendationServed(TimeSpan elapsed, string source, string modelVersion) =>
        _recommendationDuration.Record(elapsed.TotalMilliseconds, new KeyValuePair<string, object?>("source", source), new KeyValuePair<string, object?>("model.version", modelVersion));

    /// <summary>Records a remote search answered by the fallback.</summary>
    public void RecommendationFellBack(string reason) => _fallbacks.Add(1, new KeyValuePair<string, object?>("reason", reason));

    /// <summary>Records one read of a user's stored history.</summary>
    public void HistoryRead(TimeSpan elapsed) => _historyReadDuration.Record(elapsed.TotalMilliseconds);

    /// <summary>Records events of one type accepted into the event log.</summary>
    public void EventsWereAccepted(string type, int count) => _eventsAccepted.Add(count, new KeyValuePair<string, object?>("type", type));

    /// <summary>Records a refused post of events.</summary>
    public void EventsWereRejected(string reason) => _eventsRejected.Add(1, new KeyValuePair<string, object?>("reason", reason));

    /// <summary>Records one retraining activity.</summary>
    public void RetrainStepFinished(string step, bool succeeded, TimeSpan elapsed) =>
        _retrainStepDuration.Record(elapsed.TotalSeconds, new KeyValuePair<string, object?>("step", step), new KeyValuePair<string, object?>("outcome", succeeded ? "succeeded" : "failed"));

    /// <summary>Records a finished retraining run (<c>activated</c>, <c>rejected</c>, <c>failed</c> or <c>skipped</c>).</summary>
    public void RetrainRunFinished(string outcome) => _retrainRuns.Add(1, new KeyValuePair<string, object?>("outcome", outcome));

    /// <summary>Records lines or users put in quarantine for one reason.</summary>
    public void Quarantined(string reason, long count)
    {
        if (count > 0)
        {
            _quarantined.Add(count, new KeyValuePair<string, object?>("reason", reason));
        }
    }

    /// <summary>Records a model version made live (<paramref name="trigger"/>: <c>retrain</c> or <c>rollback</c>).</summary>
    public void ModelActivated(string modelVersion, string trigger) =>
        _activations.Add(1, new KeyValuePair<string, object?>("model.version", modelVersion), new KeyValuePair<string, object?>("trigger", trigger));

    /// <summary>Records a model version that could not be loaded for serving.</summary>
    public void ModelLoadFailed(string modelVersion) => _loadFailures.Add(1, new KeyValuePair<string, object?>("model.version", modelVersion));

    /// <summary>Records the items of one response written to (or lost by) the impression log.</summary>
    public void ImpressionsWereLogged(string source, bool succeeded, int items) =>
        _impressionsLogged.Add(items, new KeyValuePair<string, object?>("source", source), new KeyValuePair<string, object?>("outcome", succeeded ? "logged" : "failed"));

    /// <summary>Records one group of a run's online metrics as gauges tagged with its model version, arm and source.</summary>
    public void OnlineMetricsComputed(Pipeline.OnlineMetricsRow row)
    {
        ArgumentNullException.ThrowIfNull(row);
        KeyValuePair<string, object?>[] tags = [new("model.version", row.ModelVersion), new("arm", row.Arm), new("source", row.Source)];
        _onlineImpressions.Record(row.Impressions, tags);
        _onlineCtr.Record(row.CtrAt10, tags);
        _onlineConversions.Record(row.Conversions, tags);
        _onlineCoverage.Record(row.Coverage, tags);
        _onlineGini.Record(row.ExposureGini, tags);
        _onlinePopularity.Record(row.MeanPopularity, tags);
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        ActivitySource.Dispose();
        _ownMeter?.Dispose();
    }
}
