using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using ServerlessRec.Events;
using ServerlessRec.Pipeline;
using ServerlessRec.Serving;
using ServerlessRec.Storage;

namespace ServerlessRec.Http;

/// <summary>Registers what <see cref="ServingEndpoints"/> needs, the same way in both hosts.</summary>
public static class ServingServiceCollectionExtensions
{
    /// <summary>
    /// Adds the live model provider, the user id key (<see cref="UserIdHasherProvider"/>), user histories, forget tombstones, the API event log and the handlers
    /// (<see cref="ServingEndpoints"/>, <see cref="RetrainEndpoints"/>) as singletons; register <see cref="RetrainOptions"/>
    /// first to start retrainings with other options than the defaults. An <see cref="IBlobStore"/> must be registered; <see cref="TimeProvider"/>,
    /// <see cref="EventTypeOptions"/>, <see cref="ServingOptions"/> and <see cref="IServingIndexResolver"/> default to the system clock, the
    /// default event types, the default search budget and the embedded index (register another resolver first to query Azure AI Search).
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="instanceId">This host instance's id, used in the API event log's blob names.</param>
    public static IServiceCollection AddServingEndpoints(this IServiceCollection services, string instanceId)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrEmpty(instanceId);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(new EventTypeOptions());
        // The index backend decides how much of a model an instance holds: with Azure AI Search, no catalog in memory.
        services.TryAddSingleton(sp => new LiveModelProvider(
            sp.GetRequiredService<IBlobStore>(),
            sp.GetRequiredService<TimeProvider>(),
            mode: IServingIndexResolver.ServingModeOf(sp.GetRequiredService<IServingIndexResolver>()),
            ivfFromItems: sp.GetRequiredService<ServingOptions>().IvfFromItems));
        services.TryAddSingleton<ILiveModelSource>(sp => sp.GetRequiredService<LiveModelProvider>());
        // One key per process: loaded (or created) from the store on first use, never from settings.
        services.TryAddSingleton(sp => new UserIdHasherProvider(sp.GetRequiredService<IBlobStore>()));
        services.TryAddSingleton(sp => new UserHistoryStore(sp.GetRequiredService<IBlobStore>(), hashers: sp.GetRequiredService<UserIdHasherProvider>()));
        services.TryAddSingleton(sp => new ForgottenUsers(sp.GetRequiredService<IBlobStore>(), sp.GetRequiredService<UserHistoryStore>(), sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton(sp => new ApiEventLog(sp.GetRequiredService<IBlobStore>(), sp.GetRequiredService<TimeProvider>(), instanceId, logger: sp.GetService<ILoggerFactory>()?.CreateLogger<ApiEventLog>()));
        services.TryAddSingleton(sp => new IdempotencyMarkers(sp.GetRequiredService<IBlobStore>(), sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton<IServingIndexResolver>(EmbeddedIndexResolver.Instance);
        services.TryAddSingleton(new ServingOptions());
        services.TryAddSingleton(sp => new ServingHealth(sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ServingOptions>(), sp.GetRequiredService<ILogger<ServingHealth>>()));
        services.TryAddSingleton(sp => new RecommenderService(
            sp.GetRequiredService<ILiveModelSource>(),
            sp.GetRequiredService<UserHistoryStore>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<IServingIndexResolver>(),
            sp.GetRequiredService<ServingOptions>(),
            sp.GetRequiredService<ServingHealth>()));
        services.TryAddSingleton<ServingEndpoints>();
        services.TryAddSingleton(new RetrainOptions());
        services.TryAddSingleton(sp => new RetrainEndpoints(sp.GetRequiredService<RetrainOptions>(), sp.GetRequiredService<ILogger<RetrainEndpoints>>(), sp.GetRequiredService<TimeProvider>()));
        return services;
    }
}
