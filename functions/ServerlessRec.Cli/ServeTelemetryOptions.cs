namespace ServerlessRec.Cli;

/// <summary>The <c>Telemetry</c> settings of <c>serve</c> (<c>Telemetry__Exporter</c>, <c>Telemetry__OtlpEndpoint</c> or appsettings.json).</summary>
internal sealed class ServeTelemetryOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "Telemetry";

    /// <summary>Gets or sets where telemetry goes.</summary>
    /// <value>The default is <see cref="TelemetryExporter.None"/>.</value>
    public TelemetryExporter Exporter { get; set; } = TelemetryExporter.None;

    /// <summary>Gets or sets the OTLP endpoint.</summary>
    /// <value>The default is null: <c>OTEL_EXPORTER_OTLP_ENDPOINT</c>, else <c>http://localhost:4317</c>.</value>
    public Uri? OtlpEndpoint { get; set; }
}
