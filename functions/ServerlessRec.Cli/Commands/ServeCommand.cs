using System.CommandLine;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.DurableTask.Testing;
using ServerlessRec.Diagnostics;
using ServerlessRec.Cli.Settings;
using ServerlessRec.Events;
using ServerlessRec.Http;
using ServerlessRec.Pipeline;
using ServerlessRec.Retrieval;
using ServerlessRec.Serving;
using ServerlessRec.Storage;
using ServerlessRec.Training;

namespace ServerlessRec.Cli.Commands;

/// <summary>
/// <c>serverlessrec serve</c>: the API of the Functions app on Kestrel, over the configured store (a local folder by
/// default; Azurite or a storage account through the <c>Storage</c> settings), mapping the same
/// <see cref="RouteTable"/> under <c>/api</c>. No keys are checked, so it binds to loopback unless told otherwise;
/// no CORS policy is added (browsers on other origins are refused), bodies must be <c>application/json</c> (so a page
/// cannot send one without a preflight) and only the bound host names are answered (no DNS rebinding): see
/// <see cref="ServeEdgeMiddleware"/>. A new <c>models/current.json</c> is picked up within seconds.
/// </summary>
internal sealed class ServeCommand : CliCommand
{
    public const string DefaultUrls = "http://127.0.0.1:7071";

    private readonly Option<string> _urls = UrlsOption();
    private readonly Option<bool> _sample = new("--sample") { Description = "Also serve the sample storefront page (samples/storefront) at / (it calls the API from the same origin)." };
    private readonly StoreOption _store;
    private readonly SettingFlags<RetrainOptions> _retrain;
    private readonly SettingFlags<TwoTowerOptions> _training;
    private readonly EventTypesOption _eventTypes;

    public ServeCommand(CliContext context)
        : base(context, "serve", "Serve the HTTP API (recommendations, events, similar, users, health) locally with Kestrel; POST /api/retrain retrains with the configured Training and Retrain settings (or the flags).")
    {
        _store = new StoreOption(context);
        _retrain = TrainingFlags.CreateRetrain(context);
        _training = TrainingFlags.Create(context);
        _eventTypes = new EventTypesOption(context);
        Options.Add(_store.Option);
        Options.Add(_urls);
        Options.Add(_sample);
        Options.Add(_eventTypes.Option);
        _retrain.AddTo(this);
        _training.AddTo(this);
    }

    /// <summary>The <c>--urls</c> option of serve and demo.</summary>
    internal static Option<string> UrlsOption() => new("--urls")
    {
        Description = "Where Kestrel listens (port 0: any free port, printed at start).",
        DefaultValueFactory = _ => DefaultUrls,
    };

    protected override async Task<int> RunAsync(ParseResult parse, TextWriter output, CancellationToken cancellationToken)
    {
        var urls = parse.GetRequiredValue(_urls);
        var store = _store.Open(parse);
        var search = SearchConfiguration.Read(Context.Configuration);
        var serving = CliConfiguration.ReadOptions<ServingOptions>(Context.Configuration, ServingOptions.SectionName);
        var retrain = _retrain.Bind(parse);
        var training = _training.Bind(parse);
        var eventTypes = _eventTypes.Read(parse);
        var telemetry = ServeTelemetry.Read(Context.Configuration);
        var timeProvider = Context.Time;
        var sampleFolder = parse.GetValue(_sample) ? SampleStorefront.FindFolder() : null;

        output.WriteLine(store.Banner);
        await using var app = CreateApp(store.Store, search, urls, timeProvider, training: training, retrain: retrain, eventTypes: eventTypes, serving: serving, telemetry: telemetry, sampleFolder: sampleFolder);
        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        foreach (var url in app.Urls)
        {
            output.WriteLine($"serving {RouteTable.Routes.Count(r => r.Method != RouteTable.AnyMethod)} routes on {url}/{RouteTable.Prefix} (Ctrl+C to stop)");
            if (sampleFolder is not null)
            {
                output.WriteLine($"sample storefront on {url}/ (open it in a browser)");
            }

            if (!IsLoopback(url))
            {
                output.WriteLine($"warning: {url} is not a loopback address and serve checks no keys; anyone who can reach it can call every route.");
            }
        }

        // Ctrl+C cancels the token (CliApplication) and SIGTERM stops the host: both drain in-flight requests.
        await app.WaitForShutdownAsync(cancellationToken).ConfigureAwait(false);
        output.WriteLine("stopped.");
        return 0;
    }

    /// <summary>Builds the Kestrel app (not started) over a local folder store and the embedded index (tests, benches).</summary>
    internal static WebApplication CreateApp(
        string root,
        string urls,
        TimeProvider timeProvider,
        Action<ILoggingBuilder>? configureLogging = null,
        TwoTowerOptions? training = null,
        RetrainOptions? retrain = null,
        Action<IEndpointRouteBuilder>? mapExtraEndpoints = null,
        EventTypeOptions? eventTypes = null) =>
        CreateApp(new LocalFolderBlobStore(new StorageOptions { LocalRoot = root }), new SearchOptions(), urls, timeProvider, configureLogging, training, retrain, mapExtraEndpoints, eventTypes);

    /// <summary>Builds the Kestrel app (not started): the code path of <c>serve</c>, used as is by the tests.</summary>
    /// <param name="store">The store (a local folder, Azurite or a storage account).</param>
    /// <param name="search">The index settings (embedded, or Azure AI Search).</param>
    /// <param name="urls">Where Kestrel listens.</param>
    /// <param name="timeProvider">The clock.</param>
    /// <param name="configureLogging">Extra logging setup (tests capture logs with it).</param>
    /// <param name="training">The training options of retrainings started over HTTP (default: <see cref="TwoTowerOptions"/> defaults).</param>
    /// <param name="retrain">The retraining options (default: <see cref="RetrainOptions"/> defaults).</param>
    /// <param name="mapExtraEndpoints">Endpoints mapped after the route table (tests map one that fails, to see the error path).</param>
    /// <param name="telemetry">Where metrics and traces go (nowhere by default).</param>
    /// <param name="eventTypes">The event types of ingestion, serving and retraining (default: <see cref="EventTypeOptions"/> defaults).</param>
    /// <param name="serving">The serving options (default: <see cref="ServingOptions"/> defaults).</param>
    /// <param name="sampleFolder">The sample storefront's folder to serve at <c>/</c> (<see cref="SampleStorefront"/>); none by default.</param>
    internal static WebApplication CreateApp(
        IBlobStore store,
        SearchOptions search,
        string urls,
        TimeProvider timeProvider,
        Action<ILoggingBuilder>? configureLogging = null,
        TwoTowerOptions? training = null,
        RetrainOptions? retrain = null,
        Action<IEndpointRouteBuilder>? mapExtraEndpoints = null,
        EventTypeOptions? eventTypes = null,
        ServingOptions? serving = null,
        ServeTelemetryOptions? telemetry = null,
        string? sampleFolder = null)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        builder.WebHost.UseUrls(urls);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = RequestBody.MaxBytes;
            kestrel.Limits.MaxRequestLineSize = ServeEdgeMiddleware.MaxRequestLineBytes;
        });
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        configureLogging?.Invoke(builder.Logging);
        builder.Services.AddSingleton(timeProvider);
        builder.Services.AddSingleton<IBlobStore>(store);
        builder.Services.AddSingleton(SearchConfiguration.CreateResolver(search));
        builder.Services.AddSingleton(SearchConfiguration.CreateIndexVerifier(store, search));
        builder.Services.AddSingleton(retrain ?? new RetrainOptions());
        var types = eventTypes ?? new EventTypeOptions();
        builder.Services.AddSingleton(types);
        builder.Services.AddSingleton(serving ?? new ServingOptions());
        var trainingOptions = training ?? new TwoTowerOptions();
        builder.Services.AddSingleton(trainingOptions);
        // GET /api/openapi.json: the document of this app's own endpoints (mapped with their OpenAPI metadata below).
        builder.Services.AddApiDocument();
        builder.Services.AddSingleton(sp => new OpenApiEndpoints(cancellationToken => ApiDocument.WriteJsonAsync(sp, cancellationToken)));
        builder.Services.AddServingEndpoints(InstanceId());
        builder.Services.AddServeTelemetry(telemetry ?? new ServeTelemetryOptions());

        // POST /api/retrain runs the same orchestration as the Functions app, on the in-process Durable Task engine,
        // with the options serve was started with (configuration and flags), not the defaults.
        var publisher = SearchConfiguration.CreatePublisher(store, search);
        builder.Services.AddSingleton(publisher);
        // Activities are created by the engine, outside DI: they take the app's telemetry once the app is built.
        IServiceProvider? services = null;
        builder.Services.AddInMemoryDurableTask(tasks => tasks.AddRetrain(() => new RetrainActivities(store, publisher, trainingOptions, types, timeProvider, services?.GetService<ServerlessRecTelemetry>(), datasets: services?.GetService<RetrainDatasetCache>())), new InMemoryDurableTaskOptions { Port = LoopbackPort.Free() });

        builder.Services.AddSingleton(new ServeEdgeMiddleware.HostPolicy(urls));

        var app = builder.Build();
        services = app.Services;
        app.UseMiddleware<ServeEdgeMiddleware>();
        if (sampleFolder is not null)
        {
            SampleStorefront.UseStaticPage(app, sampleFolder);
        }

        app.UseRouting();
        var api = app.MapGroup("/" + RouteTable.Prefix);
        // The unknown-route entry (any method) is the Functions app's stand-in for what ServeEdgeMiddleware does here
        // with the same 404 problem; mapped in Kestrel, an any-method endpoint would turn routing's 405s into 404s.
        foreach (var route in RouteTable.Routes.Where(r => r.Method != RouteTable.AnyMethod))
        {
            api.MapApiRoute(route, async context =>
            {
                var result = await route.Handler(context.RequestServices, context.Request, context.RequestAborted).ConfigureAwait(false);
                await result.ExecuteAsync(context).ConfigureAwait(false);
            });
        }

        if (sampleFolder is not null)
        {
            SampleStorefront.MapCatalog(app, store, timeProvider);
        }

        mapExtraEndpoints?.Invoke(app);
        return app;
    }

    private static string InstanceId() => $"serve-{Environment.MachineName}-{Environment.ProcessId}";

    private static bool IsLoopback(string url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri)
        && (uri.IsLoopback || (IPAddress.TryParse(uri.Host.Trim('[', ']'), out var address) && IPAddress.IsLoopback(address)));
}
