using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using ServerlessRec.Diagnostics;
using ServerlessRec.Catalog;
using ServerlessRec.Events;
using ServerlessRec.Pipeline;
using ServerlessRec.Retrieval;
using ServerlessRec.Serving;
using ServerlessRec.Storage;

namespace ServerlessRec.Http;

/// <summary>Registers what <see cref="ServingEndpoints"/> needs, the same way in both hosts.</summary>
public static class ServingServiceCollectionExtensions
{
    /// <summary>
    /// Adds the telemetry (<see cref="ServerlessRecTelemetry"/>, on the host's <see cref="IMeterFactory"/> when there is one), the live model provider, the user id key (<see cref="UserIdHasherProvider"/>), user histories, forget tombstones, the API event log and the handlers
    /// (<see cref="ServingEndpoints"/>, <see cref="RetrainEndpoints"/>, <see cref="ModelEndpoints"/>) as singletons; register <see cref="RetrainOptions"/>
    /// first to start retrainings with other options than the defaults. An <see cref="IBlobStore"/> must be registered; <see cref="TimeProvider"/>,
    /// <see cref="EventTypeOptions"/>, <see cref="ServingOptions"/>, <see cref="IServingIndexResolver"/> and <see cref="IModelIndexVerifier"/> default to the system clock, the
    /// default event types, the default search budget, the embedded index and the embedded index's rollback check (register another resolver and
    /// check first to use Azure AI Search).
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="instanceId">This host instance's id, used in the API event log's blob names.</param>
    public static IServiceCollection AddServingEndpoints(this IServiceCollection services, string instanceId)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrEmpty(instanceId);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(new EventTypeOptions());
        services.TryAddSingleton(sp => new ServerlessRecTelemetry(sp.GetService<IMeterFactory>()));
        // The index backend decides how much of a model an instance holds: with Azure AI Search, no catalog in memory.
        services.TryAddSingleton(sp => new LiveModelProvider(
            sp.GetRequiredService<IBlobStore>(),
            sp.GetRequiredService<TimeProvider>(),
            mode: IServingIndexResolver.ServingModeOf(sp.GetRequiredService<IServingIndexResolver>()),
            logger: sp.GetService<ILogger<LiveModelProvider>>(),
            telemetry: sp.GetRequiredService<ServerlessRecTelemetry>(),
            ivfFromItems: sp.GetRequiredService<ServingOptions>().IvfFromItems));
        services.TryAddSingleton<ILiveModelSource>(sp => sp.GetRequiredService<LiveModelProvider>());
        // One key per process: loaded (or created) from the store on first use, never from settings.
        services.TryAddSingleton(sp => new UserIdHasherProvider(sp.GetRequiredService<IBlobStore>()));
        services.TryAddSingleton(sp => new UserHistoryStore(sp.GetRequiredService<IBlobStore>(), hashers: sp.GetRequiredService<UserIdHasherProvider>(), types: sp.GetRequiredService<EventTypeOptions>()));
        services.TryAddSingleton(sp => new ForgottenUsers(sp.GetRequiredService<IBlobStore>(), sp.GetRequiredService<UserHistoryStore>(), sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton(sp => new ApiEventLog(sp.GetRequiredService<IBlobStore>(), sp.GetRequiredService<TimeProvider>(), instanceId, logger: sp.GetService<ILoggerFactory>()?.CreateLogger<ApiEventLog>()));
        services.TryAddSingleton(sp => new IdempotencyMarkers(sp.GetRequiredService<IBlobStore>(), sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton<IServingIndexResolver>(EmbeddedIndexResolver.Instance);
        // A host that maps its routes with ApiDocument.MapApiRoute registers its own (serve); the default renders the document.
        services.TryAddSingleton(_ => OpenApiEndpoints.Rendered());
        services.TryAddSingleton(new ServingOptions());
        services.TryAddSingleton(sp => new ServingHealth(sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ServingOptions>(), sp.GetRequiredService<ILogger<ServingHealth>>()));
        services.TryAddSingleton(sp => new CatalogUpdateStore(sp.GetRequiredService<IBlobStore>(), sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton(sp => new LiveCatalog(
            sp.GetRequiredService<CatalogUpdateStore>(),
            sp.GetRequiredService<IBlobStore>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<LiveModelProvider>().RefreshInterval,
            sp.GetService<ILoggerFactory>()?.CreateLogger<LiveCatalog>()));
        // Vectors of new items go into Azure AI Search only when it is what serves; embedded instances compute their own.
        services.TryAddSingleton(sp => new CatalogService(
            sp.GetRequiredService<LiveCatalog>(),
            sp.GetRequiredService<ILiveModelSource>(),
            sp.GetRequiredService<IBlobStore>(),
            sp.GetRequiredService<IServingIndexResolver>() is EmbeddedIndexResolver ? null : sp.GetService<Retrieval.IItemIndexPublisher>()));
        services.TryAddSingleton<CatalogEndpoints>();
        services.TryAddSingleton(sp => new RecommenderService(
            sp.GetRequiredService<ILiveModelSource>(),
            sp.GetRequiredService<UserHistoryStore>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<IServingIndexResolver>(),
            sp.GetRequiredService<ServingOptions>(),
            sp.GetRequiredService<ServingHealth>(),
            sp.GetRequiredService<ServerlessRecTelemetry>(),
            sp.GetRequiredService<LiveCatalog>()));
        // The server's sampled record of what it showed, for the online metrics (Serving:ImpressionSampleRate).
        services.TryAddSingleton(sp => new ImpressionLog(
            sp.GetRequiredService<IBlobStore>(),
            sp.GetRequiredService<TimeProvider>(),
            instanceId,
            sp.GetRequiredService<UserIdHasherProvider>(),
            sp.GetRequiredService<ServingOptions>().ImpressionSampleRate,
            sp.GetRequiredService<ServerlessRecTelemetry>(),
            sp.GetService<ILoggerFactory>()?.CreateLogger<ImpressionLog>()));
        services.TryAddSingleton<ServingEndpoints>();
        // Rollback and status: the index check follows the index backend (register the Azure AI Search one first to use it).
        services.TryAddSingleton<IModelIndexVerifier>(sp => new EmbeddedModelIndexVerifier(sp.GetRequiredService<IBlobStore>()));
        services.TryAddSingleton(sp => new ModelAdministration(sp.GetRequiredService<IBlobStore>(), sp.GetRequiredService<IModelIndexVerifier>(), sp.GetRequiredService<TimeProvider>(), sp.GetService<ILoggerFactory>()?.CreateLogger<ModelAdministration>(), sp.GetRequiredService<ServerlessRecTelemetry>()));
        services.TryAddSingleton<ModelEndpoints>();
        services.TryAddSingleton(new RetrainOptions());
        // One start gate and one run dataset per host (the timer and the admin route share the gate).
        services.TryAddSingleton<RetrainScheduler>();
        services.TryAddSingleton<RetrainDatasetCache>();
        services.TryAddSingleton(sp => new RetrainEndpoints(sp.GetRequiredService<RetrainOptions>(), sp.GetRequiredService<ILogger<RetrainEndpoints>>(), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<RetrainScheduler>()));
        return services;
    }
}
