using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ServerlessRec.Azure.Search;
using ServerlessRec.Azure.Storage;
using ServerlessRec.Diagnostics;
using ServerlessRec.Events;
using ServerlessRec.Functions.Http;
using ServerlessRec.Functions.Telemetry;
using ServerlessRec.Http;
using ServerlessRec.Pipeline;
using ServerlessRec.Retrieval;
using ServerlessRec.Serving;
using ServerlessRec.Storage;
using ServerlessRec.Training;

var builder = FunctionsApplication.CreateBuilder(args);
builder.ConfigureFunctionsWebApplication();
builder.UseMiddleware<ProblemExceptionMiddleware>();
builder.UseMiddleware<RouteAccessMiddleware>();

// OpenTelemetry: the ServerlessRec meter and activity source, to Application Insights when APPLICATIONINSIGHTS_CONNECTION_STRING is set.
builder.Services.AddServerlessRecTelemetry(builder.Configuration);

builder.Services.AddOptions<StorageOptions>()
    .BindConfiguration(StorageOptions.SectionName)
    .ValidateDataAnnotations()
    .ValidateOnStart();
builder.Services.AddOptions<SearchOptions>()
    .BindConfiguration(SearchOptions.SectionName)
    .ValidateDataAnnotations()
    .ValidateOnStart();
builder.Services.AddOptions<ServingOptions>()
    .BindConfiguration(ServingOptions.SectionName)
    .ValidateDataAnnotations()
    .ValidateOnStart();
builder.Services.AddSingleton(sp => sp.GetRequiredService<IOptions<ServingOptions>>().Value);
// EventTypes: weights and negatives of each event type, for ingestion, serving and training alike (before
// AddServingEndpoints, which would otherwise register the defaults).
builder.Services.AddOptions<EventTypeOptions>()
    .Configure<IConfiguration>((options, configuration) => options.Bind(configuration.GetSection(EventTypeOptions.SectionName)))
    .ValidateDataAnnotations()
    .ValidateOnStart();
builder.Services.AddSingleton(sp => sp.GetRequiredService<IOptions<EventTypeOptions>>().Value);
builder.Services.AddSingleton(TimeProvider.System);

// Who may call which route group (RouteAccess). App Service sets WEBSITE_AUTH_ENABLED when its authentication runs in
// front of the app; only then is the X-MS-CLIENT-PRINCIPAL header the platform's and not the caller's.
builder.Services.AddOptions<AccessOptions>()
    .BindConfiguration(AccessOptions.SectionName)
    .ValidateDataAnnotations()
    .ValidateOnStart();
builder.Services.AddSingleton(sp => new RouteAccess(
    sp.GetRequiredService<IOptions<AccessOptions>>().Value,
    string.Equals(Environment.GetEnvironmentVariable("WEBSITE_AUTH_ENABLED"), "true", StringComparison.OrdinalIgnoreCase),
    sp.GetRequiredService<ILogger<RouteAccess>>()));

// Search:Provider selects where live model versions are searched: the embedded index or Azure AI Search.
builder.Services.AddSingleton<IServingIndexResolver>(sp =>
{
    var search = sp.GetRequiredService<IOptions<SearchOptions>>().Value;
    return search.Provider == SearchProviderKind.AzureAISearch
        ? new PublisherIndexResolver(SearchIndexBackendFactory.CreatePublisher(search, timeProvider: sp.GetRequiredService<TimeProvider>()))
        : EmbeddedIndexResolver.Instance;
});
builder.Services.AddSingleton<IModelIndexVerifier>(sp =>
{
    var search = sp.GetRequiredService<IOptions<SearchOptions>>().Value;
    return search.Provider == SearchProviderKind.AzureAISearch
        ? SearchIndexBackendFactory.CreateIndexVerifier(search)
        : new EmbeddedModelIndexVerifier(sp.GetRequiredService<IBlobStore>());
});
builder.Services.AddSingleton(sp => BlobStoreFactory.Create(sp.GetRequiredService<IOptions<StorageOptions>>().Value));

// The retraining: options, the index publisher of the configured provider, and the activities.
builder.Services.AddOptions<RetrainOptions>().BindConfiguration(RetrainOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
builder.Services.AddOptions<TwoTowerOptions>().BindConfiguration(TwoTowerOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
builder.Services.AddSingleton<IItemIndexPublisher>(sp =>
{
    var search = sp.GetRequiredService<IOptions<SearchOptions>>().Value;
    return search.Provider == SearchProviderKind.AzureAISearch
        ? SearchIndexBackendFactory.CreatePublisher(search, timeProvider: sp.GetRequiredService<TimeProvider>())
        : new EmbeddedItemIndexPublisher(sp.GetRequiredService<IBlobStore>());
});
builder.Services.AddSingleton(sp => new RetrainActivities(
    sp.GetRequiredService<IBlobStore>(),
    sp.GetRequiredService<IItemIndexPublisher>(),
    sp.GetRequiredService<IOptions<TwoTowerOptions>>().Value,
    sp.GetRequiredService<EventTypeOptions>(),
    sp.GetRequiredService<TimeProvider>(),
    sp.GetRequiredService<ServerlessRecTelemetry>(),
    sp.GetRequiredService<IModelIndexVerifier>(),
    sp.GetRequiredService<RetrainDatasetCache>()));

// WEBSITE_INSTANCE_ID names the App Service instance; each instance appends to its own events blob.
var instanceId = Environment.GetEnvironmentVariable("WEBSITE_INSTANCE_ID") is { Length: > 0 } id ? id[..Math.Min(id.Length, 16)] : Environment.MachineName;
builder.Services.AddSingleton(sp => sp.GetRequiredService<IOptions<RetrainOptions>>().Value);
builder.Services.AddServingEndpoints($"{instanceId}-{Environment.ProcessId}");

await builder.Build().RunAsync().ConfigureAwait(false);
