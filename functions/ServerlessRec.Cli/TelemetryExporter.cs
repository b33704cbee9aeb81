namespace ServerlessRec.Cli;

/// <summary>Where <c>serve</c> sends its metrics and traces.</summary>
internal enum TelemetryExporter
{
    /// <summary>Nowhere: the instruments stay unobserved and cost nothing.</summary>
    None,

    /// <summary>Printed to standard output (metrics every <c>OTEL_METRIC_EXPORT_INTERVAL</c> ms, 60 s by default, and when serve stops).</summary>
    Console,

    /// <summary>Sent over OTLP (gRPC) to <see cref="ServeTelemetryOptions.OtlpEndpoint"/>: a collector, Jaeger, the Aspire dashboard…</summary>
    Otlp,
}
