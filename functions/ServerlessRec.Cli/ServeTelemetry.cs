using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using ServerlessRec.Diagnostics;

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

/// <summary>
/// OpenTelemetry for <c>serve</c>: the <c>ServerlessRec</c> meter and activity source (the same as the Functions app
/// exports), ASP.NET Core's request metrics and activities, to the configured exporter; nothing when none is configured.
/// </summary>
internal static class ServeTelemetry
{
    /// <summary>The service name telemetry is tagged with.</summary>
    public const string ServiceName = "serverlessrec-serve";

    public static ServeTelemetryOptions Read(IConfiguration configuration) =>
        CliConfiguration.ReadOptions<ServeTelemetryOptions>(configuration, ServeTelemetryOptions.SectionName);

    /// <summary>Adds OpenTelemetry with the configured exporter; does nothing for <see cref="TelemetryExporter.None"/>.</summary>
    public static IServiceCollection AddServeTelemetry(this IServiceCollection services, ServeTelemetryOptions options)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(options);
        if (options.Exporter == TelemetryExporter.None)
        {
            return services;
        }

        void Otlp(OtlpExporterOptions otlp)
        {
            if (options.OtlpEndpoint is { } endpoint)
            {
                otlp.Endpoint = endpoint;
            }
        }

        services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(ServiceName))
            .WithMetrics(metrics =>
            {
                // Microsoft.AspNetCore.Hosting: http.server.request.duration, which the framework emits itself.
                metrics.AddMeter(ServerlessRecTelemetry.Name, "Microsoft.AspNetCore.Hosting");
                _ = options.Exporter == TelemetryExporter.Console ? metrics.AddConsoleExporter() : metrics.AddOtlpExporter(Otlp);
            })
            .WithTracing(tracing =>
            {
                tracing.AddSource(ServerlessRecTelemetry.Name, "Microsoft.AspNetCore");
                _ = options.Exporter == TelemetryExporter.Console ? tracing.AddConsoleExporter() : tracing.AddOtlpExporter(Otlp);
            });
        return services;
    }
}
