using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using ServerlessRec.Diagnostics;

namespace ServerlessRec.Cli;

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
