using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.DurableTask.Testing;
using ServerlessRec.Events;
using ServerlessRec.Http;
using ServerlessRec.Pipeline;
using ServerlessRec.Retrieval;
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
internal sealed class ServeCommand(TimeProvider timeProvider) : ICliCommand
{
    public const string DefaultUrls = "http://127.0.0.1:7071";

    public string Name => "serve";

    public string Usage => $"[--root DIR] [--urls {DefaultUrls}]";

    public string Summary => "Serve the HTTP API (recommendations, events, similar, users, health) locally with Kestrel.";

    public async Task<int> RunAsync(CliArguments args, TextWriter output, CancellationToken cancellationToken)
    {
        var urls = args.String("urls", DefaultUrls);
        var store = CliConfiguration.OpenStore(args);
        var search = SearchConfiguration.Read(args.Configuration);
        args.EnsureAllRead();

        output.WriteLine(store.Banner);
        await using var app = CreateApp(store.Store, search, urls, timeProvider);
        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        foreach (var url in app.Urls)
        {
            output.WriteLine($"serving {RouteTable.Routes.Count(r => r.Method != RouteTable.AnyMethod)} routes on {url}/{RouteTable.Prefix} (Ctrl+C to stop)");
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
        Action<IEndpointRouteBuilder>? mapExtraEndpoints = null) =>
        CreateApp(new LocalFolderBlobStore(new StorageOptions { LocalRoot = root }), new SearchOptions(), urls, timeProvider, configureLogging, training, retrain, mapExtraEndpoints);

    /// <summary>Builds the Kestrel app (not started): the code path of <c>serve</c>, used as is by the tests.</summary>
    /// <param name="store">The store (a local folder, Azurite or a storage account).</param>
    /// <param name="search">The index settings (embedded, or Azure AI Search).</param>
    /// <param name="urls">Where Kestrel listens.</param>
    /// <param name="timeProvider">The clock.</param>
    /// <param name="configureLogging">Extra logging setup (tests capture logs with it).</param>
    /// <param name="training">The training options of retrainings started over HTTP (default: <see cref="TwoTowerOptions"/> defaults).</param>
    /// <param name="retrain">The retraining options (default: <see cref="RetrainOptions"/> defaults).</param>
    /// <param name="mapExtraEndpoints">Endpoints mapped after the route table (tests map one that fails, to see the error path).</param>
    internal static WebApplication CreateApp(
        IBlobStore store,
        SearchOptions search,
        string urls,
        TimeProvider timeProvider,
        Action<ILoggingBuilder>? configureLogging = null,
        TwoTowerOptions? training = null,
        RetrainOptions? retrain = null,
        Action<IEndpointRouteBuilder>? mapExtraEndpoints = null)
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
        builder.Services.AddSingleton(retrain ?? new RetrainOptions());
        builder.Services.AddServingEndpoints(InstanceId());

        // POST /api/retrain runs the same orchestration as the Functions app, on the in-process Durable Task engine.
        var publisher = SearchConfiguration.CreatePublisher(store, search);
        builder.Services.AddSingleton(publisher);
        var trainingOptions = training ?? new TwoTowerOptions();
        builder.Services.AddInMemoryDurableTask(tasks => tasks.AddRetrain(() => new RetrainActivities(store, publisher, trainingOptions, new EventTypeOptions(), timeProvider)));

        builder.Services.AddSingleton(new ServeEdgeMiddleware.HostPolicy(urls));

        var app = builder.Build();
        app.UseMiddleware<ServeEdgeMiddleware>();
        app.UseRouting();
        var api = app.MapGroup("/" + RouteTable.Prefix);
        // The unknown-route entry (any method) is the Functions app's stand-in for what ServeEdgeMiddleware does here
        // with the same 404 problem; mapped in Kestrel, an any-method endpoint would turn routing's 405s into 404s.
        foreach (var route in RouteTable.Routes.Where(r => r.Method != RouteTable.AnyMethod))
        {
            api.MapMethods(route.Template, [route.Method], async context =>
            {
                var result = await route.Handler(context.RequestServices, context.Request, context.RequestAborted).ConfigureAwait(false);
                await result.ExecuteAsync(context).ConfigureAwait(false);
            }).WithName(route.Name);
        }

        mapExtraEndpoints?.Invoke(app);
        return app;
    }

    private static string InstanceId() => $"serve-{Environment.MachineName}-{Environment.ProcessId}";

    private static bool IsLoopback(string url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri)
        && (uri.IsLoopback || (IPAddress.TryParse(uri.Host.Trim('[', ']'), out var address) && IPAddress.IsLoopback(address)));
}
