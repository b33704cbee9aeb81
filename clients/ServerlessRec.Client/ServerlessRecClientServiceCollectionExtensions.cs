using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using ServerlessRec.Client;

// In this namespace, as Microsoft.Extensions.* registrations are, so AddServerlessRecClient shows up where services are configured.
namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers <see cref="IServerlessRecClient"/> with the <c>IHttpClientFactory</c>.</summary>
public static class ServerlessRecClientServiceCollectionExtensions
{
    /// <summary>The name of the client's resilience pipeline (its metrics and logs carry it).</summary>
    public const string PipelineName = "serverlessrec";

    /// <summary>
    /// Registers <see cref="IServerlessRecClient"/> as a typed <see cref="HttpClient"/> client: retries and timeouts from
    /// <c>Microsoft.Extensions.Http.Resilience</c> (see <see cref="ServerlessRecClientOptions.MaxRetryAttempts"/>), then
    /// the function key of each route's group and, with a credential, an Entra ID token on every attempt.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Sets the options (<see cref="ServerlessRecClientOptions.BaseAddress"/> at least).</param>
    /// <returns>The client's <see cref="IHttpClientBuilder"/>, to add handlers of your own (they run inside the retries).</returns>
    public static IHttpClientBuilder AddServerlessRecClient(this IServiceCollection services, Action<ServerlessRecClientOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        services.AddOptions<ServerlessRecClientOptions>().Configure(configure);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ServerlessRecClientOptions>, ServerlessRecClientOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<AccessTokenCache>();
        services.TryAddTransient<AuthenticationHandler>();

        var builder = services.AddHttpClient<IServerlessRecClient, ServerlessRecClient>((provider, http) =>
        {
            var options = provider.GetRequiredService<IOptionsMonitor<ServerlessRecClientOptions>>().CurrentValue;
            var address = options.BaseAddress!.AbsoluteUri;
            // Routes are resolved relative to the base, which keeps its last path segment only with a trailing slash.
            http.BaseAddress = new Uri(address.EndsWith('/') ? address : address + "/");
            // The resilience pipeline owns the timeouts (per attempt and in total).
            http.Timeout = Timeout.InfiniteTimeSpan;
        });

        // Added first, so it is the outer handler: each retry goes through the authentication handler again.
        builder.AddResilienceHandler(PipelineName, (pipeline, context) =>
            RetryRules.Configure(pipeline, context.ServiceProvider.GetRequiredService<IOptionsMonitor<ServerlessRecClientOptions>>().CurrentValue));
        builder.AddHttpMessageHandler<AuthenticationHandler>();
        return builder;
    }
}
