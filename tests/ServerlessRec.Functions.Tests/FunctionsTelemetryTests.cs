using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using ServerlessRec.Diagnostics;
using ServerlessRec.Functions.Telemetry;

namespace ServerlessRec.Functions.Tests;

/// <summary>What Program.cs registers for OpenTelemetry (<see cref="FunctionsTelemetry"/>) exports the ServerlessRec meter and source.</summary>
public sealed class FunctionsTelemetryTests
{
    [Fact]
    public void AddServerlessRecTelemetry_Registered_ExportsOurMetricsAndActivities()
    {
        var metrics = new List<Metric>();
        var activities = new List<Activity>();
        var services = new ServiceCollection();
        services.AddMetrics();
        services.AddServerlessRecTelemetry(new ConfigurationBuilder().Build());
        // An in-memory exporter stands in for Azure Monitor: it sees what the registration lets through.
        services.AddOpenTelemetry().WithMetrics(m => m.AddInMemoryExporter(metrics)).WithTracing(t => t.AddInMemoryExporter(activities));
        services.AddSingleton(sp => new ServerlessRecTelemetry(sp.GetRequiredService<IMeterFactory>()));
        using var provider = services.BuildServiceProvider();
        var meterProvider = provider.GetRequiredService<MeterProvider>();
        var tracerProvider = provider.GetRequiredService<TracerProvider>();
        var telemetry = provider.GetRequiredService<ServerlessRecTelemetry>();

        telemetry.EventsWereRejected("events[].type");
        telemetry.ModelLoadFailed("v9");
        using (telemetry.ActivitySource.StartActivity("recommend"))
        {
        }

        meterProvider.ForceFlush();
        tracerProvider.ForceFlush();
        Assert.Contains(metrics, m => m.Name == ServerlessRecTelemetry.EventsRejected);
        Assert.Contains(metrics, m => m.Name == ServerlessRecTelemetry.ModelLoadFailures);
        Assert.Contains(activities, a => a.Source.Name == ServerlessRecTelemetry.Name && a.OperationName == "recommend");
    }

    [Theory]
    [InlineData(null, false)]
    [InlineData("InstrumentationKey=00000000-0000-0000-0000-000000000000;IngestionEndpoint=https://127.0.0.1:9/", true)]
    public void AddServerlessRecTelemetry_ConnectionString_AddsTheAzureMonitorExporterOnlyWhenSet(string? connectionString, bool expected)
    {
        var services = new ServiceCollection();
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { [FunctionsTelemetry.ConnectionStringSetting] = connectionString })
            .Build();

        services.AddServerlessRecTelemetry(configuration);

        Assert.Equal(expected, services.Any(d => FromAzureMonitor(d.ServiceType) || FromAzureMonitor(d.ImplementationType) || FromAzureMonitor(d.ImplementationInstance?.GetType()) || FromAzureMonitor(d.ImplementationFactory?.Method.DeclaringType)));
    }

    private static bool FromAzureMonitor(Type? type) => type?.Assembly.GetName().Name?.StartsWith("Azure.Monitor.OpenTelemetry", StringComparison.Ordinal) == true;
}
