using Azure.Identity;
using Azure.Monitor.OpenTelemetry.Exporter;
using Microsoft.Azure.Functions.Worker.OpenTelemetry;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using ServerlessRec.Diagnostics;

namespace ServerlessRec.Functions.Telemetry;

/// <summary>
/// OpenTelemetry in the worker: the Functions defaults (invocation activities, resource attributes, correlation with the
/// host, which exports its own with <c>"telemetryMode": "OpenTelemetry"</c> in host.json), the <c>ServerlessRec</c>
/// meter and activity source, and the Azure Monitor exporter when <c>APPLICATIONINSIGHTS_CONNECTION_STRING</c> is set.
/// </summary>
public static class FunctionsTelemetry
{
    /// <summary>The setting that holds the Application Insights connection string (set by infra/app/api.bicep).</summary>
    public const string ConnectionStringSetting = "APPLICATIONINSIGHTS_CONNECTION_STRING";

    /// <summary>The setting that says how the exporter authenticates; <c>Authorization=AAD</c>: with the app's identity.</summary>
    public const string AuthenticationStringSetting = "APPLICATIONINSIGHTS_AUTHENTICATION_STRING";

    /// <summary>Adds OpenTelemetry; exports to Application Insights only when the connection string is configured.</summary>
    public static IServiceCollection AddServerlessRecTelemetry(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        var telemetry = services.AddOpenTelemetry()
            .UseFunctionsWorkerDefaults()
            // Microsoft.AspNetCore.Hosting: the request metrics of the ASP.NET Core integration.
            .WithMetrics(metrics => metrics.AddMeter(ServerlessRecTelemetry.Name, "Microsoft.AspNetCore.Hosting"))
            .WithTracing(tracing => tracing.AddSource(ServerlessRecTelemetry.Name));
        if (!string.IsNullOrWhiteSpace(configuration[ConnectionStringSetting]))
        {
            var useIdentity = configuration[AuthenticationStringSetting]?.Contains("Authorization=AAD", StringComparison.OrdinalIgnoreCase) == true;
            telemetry.UseAzureMonitorExporter(options =>
            {
                options.ConnectionString = configuration[ConnectionStringSetting];
                if (useIdentity)
                {
                    // The component refuses key-only ingestion (infra sets DisableLocalAuth): send with the app's identity.
                    options.Credential = new DefaultAzureCredential();
                }
            });
        }

        return services;
    }
}
