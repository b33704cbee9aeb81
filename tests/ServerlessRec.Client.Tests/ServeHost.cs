using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using ServerlessRec.Cli.Commands;
using ServerlessRec.Cli.Tests.Commands;
using ServerlessRec.Http;
using ServerlessRec.Storage;

namespace ServerlessRec.Client.Tests;

/// <summary>
/// The real <c>serve</c> host (Kestrel on 127.0.0.1, a port the OS picks) over a local store with two kept versions of a
/// tiny model (v2 live, <see cref="KeptVersions"/>), with two test middlewares after routing:
/// <list type="bullet">
/// <item><see cref="Faults"/>: answers chosen attempts with an error, after letting the real handler run when asked (an answer
/// lost on the way back); every attempt is recorded in <see cref="Attempts"/> with its credentials and idempotency key.</item>
/// <item><see cref="Platform"/>: what the Azure Functions host and App Service authentication do in front of the app, which
/// cannot run here: a function key per route group (401 without the right one) and Entra bearer tokens turned into the
/// <c>X-MS-CLIENT-PRINCIPAL</c> the app's real <see cref="RouteAccess"/> check then reads (401 / 403 problem+json).</item>
/// </list>
/// </summary>
public sealed class ServeHost : IAsyncLifetime
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "srec-client-" + Guid.NewGuid().ToString("N"));
    private WebApplication? _app;
    private readonly List<ServiceProvider> _providers = [];

    public LocalFolderBlobStore Store { get; private set; } = null!;

    public Uri BaseAddress { get; private set; } = null!;

    public FaultPlan Faults { get; } = new();

    public PlatformEmulator Platform { get; } = new();

    public ConcurrentQueue<Attempt> Attempts { get; } = new();

    public async Task InitializeAsync()
    {
        Store = await KeptVersions.PublishAsync(_root);
        _app = ServeCommand.CreateApp(_root, "http://127.0.0.1:0", TimeProvider.System);
        // Added after CreateApp's UseRouting: these run with the matched endpoint known, before it executes.
        _app.Use(RecordAsync);
        _app.Use(Platform.InvokeAsync);
        _app.Use(Faults.InvokeAsync);
        await _app.StartAsync();
        BaseAddress = new Uri(_app.Urls.Single().TrimEnd('/') + "/");
    }

    /// <summary>A client registered the way an app registers it, with fast retries.</summary>
    public IServerlessRecClient CreateClient(Action<ServerlessRecClientOptions>? configure = null)
    {
        var services = new ServiceCollection();
        services.AddServerlessRecClient(options =>
        {
            options.BaseAddress = BaseAddress;
            options.RetryDelay = TimeSpan.FromMilliseconds(20);
            configure?.Invoke(options);
        });
        var provider = services.BuildServiceProvider();
        lock (_providers)
        {
            _providers.Add(provider);
        }

        return provider.GetRequiredService<IServerlessRecClient>();
    }

    /// <summary>The attempts that reached a path (without query), oldest first.</summary>
    public IReadOnlyList<Attempt> AttemptsAt(string method, string path) =>
        Attempts.Where(a => a.Method == method && a.Path == path).ToList();

    /// <summary>How many lines of the event log name <paramref name="userId"/>: a post stored twice shows twice.</summary>
    public async Task<int> LoggedEventsAsync(string userId)
    {
        var lines = 0;
        await foreach (var blob in Store.ListAsync(ContainerNames.Events))
        {
            var content = (await Store.ReadAsync(ContainerNames.Events, blob.Name))!.Content;
            lines += Encoding.UTF8.GetString(content.Span).Split('\n').Count(line => line.Contains($"\"{userId}\"", StringComparison.Ordinal));
        }

        return lines;
    }

    public async Task DisposeAsync()
    {
        foreach (var provider in _providers)
        {
            await provider.DisposeAsync();
        }

        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }

        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    private async Task RecordAsync(HttpContext context, RequestDelegate next)
    {
        var headers = context.Request.Headers;
        Attempts.Enqueue(new Attempt(
            context.Request.Method,
            context.Request.Path.Value ?? string.Empty,
            headers[ServerlessRecClient.IdempotencyKeyHeader].ToString(),
            headers.Authorization.ToString(),
            headers[ServerlessRecClientOptions.FunctionKeyHeader].ToString(),
            DateTimeOffset.UtcNow));
        await next(context);
    }

    /// <summary>One request as it reached the host.</summary>
    public sealed record Attempt(string Method, string Path, string IdempotencyKey, string Authorization, string FunctionKey, DateTimeOffset At);
}

/// <summary>Planned failures: each answers the next matching attempt once.</summary>
public sealed class FaultPlan
{
    /// <summary>The "status" of a fault that drops the connection without an answer (a network failure).</summary>
    public const int DropConnection = 0;

    private readonly ConcurrentQueue<Fault> _faults = new();

    /// <summary>Answers the next attempt at <paramref name="method"/> <paramref name="path"/> with <paramref name="status"/>.</summary>
    /// <param name="method">The method.</param>
    /// <param name="path">The path, e.g. <c>/api/events</c>.</param>
    /// <param name="status">The status to answer, or <see cref="DropConnection"/> to abort the connection instead.</param>
    /// <param name="afterHandler">Run the real handler first and drop its answer (it did its work; the answer was lost).</param>
    /// <param name="retryAfterSeconds">A <c>Retry-After</c> header, if any.</param>
    /// <param name="eventsLogged">The problem's <c>eventsLogged</c>, if any.</param>
    public void Add(string method, string path, int status, bool afterHandler = false, int? retryAfterSeconds = null, bool? eventsLogged = null) =>
        _faults.Enqueue(new Fault(method, path, status, afterHandler, retryAfterSeconds, eventsLogged));

    internal async Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        if (!_faults.TryPeek(out var fault) || fault.Method != context.Request.Method || fault.Path != context.Request.Path.Value || !_faults.TryDequeue(out fault))
        {
            await next(context);
            return;
        }

        if (fault.AfterHandler)
        {
            var original = context.Response.Body;
            context.Response.Body = new MemoryStream();
            await next(context);
            context.Response.Clear();
            context.Response.Body = original;
        }

        if (fault.Status == DropConnection)
        {
            context.Abort();
            return;
        }

        context.Response.StatusCode = fault.Status;
        if (fault.RetryAfterSeconds is { } seconds)
        {
            context.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        context.Response.ContentType = ApiProblems.ContentType;
        await context.Response.WriteAsync(JsonSerializer.Serialize(new ApiProblem
        {
            Type = "about:blank",
            Title = "Injected by the test.",
            Status = fault.Status,
            Detail = $"a planned {fault.Status}",
            EventsLogged = fault.EventsLogged,
        }));
    }

    private sealed record Fault(string Method, string Path, int Status, bool AfterHandler, int? RetryAfterSeconds, bool? EventsLogged);
}

/// <summary>
/// The platform in front of the Functions app, emulated at the HTTP boundary: the Functions host's key check (one key per
/// route group, as <c>set-function-keys.sh</c> hands out; 401 with no body otherwise) and App Service authentication
/// (a bearer token it knows becomes <c>X-MS-CLIENT-PRINCIPAL</c>; 401 otherwise), then the app's own
/// <see cref="RouteAccess"/> check. Off until configured.
/// </summary>
public sealed class PlatformEmulator
{
    private IReadOnlyDictionary<RouteGroup, string>? _keys;
    private IReadOnlyDictionary<string, string>? _tokens;
    private RouteAccess? _access;

    /// <summary>Requires the key of each route's group in <c>x-functions-key</c> or <c>?code=</c>.</summary>
    public void RequireFunctionKeys(IReadOnlyDictionary<RouteGroup, string> keys) => _keys = keys;

    /// <summary>Requires a bearer token from <paramref name="tokenToObjectId"/> and admits its object id as <paramref name="access"/> says.</summary>
    public void RequireEntra(IReadOnlyDictionary<string, string> tokenToObjectId, AccessOptions access)
    {
        _tokens = tokenToObjectId;
        _access = new RouteAccess(access, principalHeaderTrusted: true);
    }

    internal async Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        var name = context.GetEndpoint()?.Metadata.GetMetadata<IEndpointNameMetadata>()?.EndpointName;
        var route = RouteTable.Routes.SingleOrDefault(r => r.Name == name);
        if (route is null)
        {
            await next(context);
            return;
        }

        if (_keys is not null)
        {
            var key = context.Request.Headers[ServerlessRecClientOptions.FunctionKeyHeader].ToString();
            if (key.Length == 0)
            {
                key = context.Request.Query["code"].ToString();
            }

            if (!string.Equals(key, _keys[route.Group], StringComparison.Ordinal))
            {
                context.Response.StatusCode = StatusCodes.Status401Unauthorized;
                return;
            }
        }

        if (_tokens is not null && _access is not null)
        {
            var authorization = context.Request.Headers.Authorization.ToString();
            if (!authorization.StartsWith("Bearer ", StringComparison.Ordinal) || !_tokens.TryGetValue(authorization["Bearer ".Length..], out var objectId))
            {
                context.Response.StatusCode = StatusCodes.Status401Unauthorized;
                context.Response.Headers.WWWAuthenticate = "Bearer";
                return;
            }

            var principal = JsonSerializer.SerializeToUtf8Bytes(new { auth_typ = "aad", claims = new[] { new { typ = "oid", val = objectId } } });
            context.Request.Headers[RouteAccess.PrincipalHeader] = Convert.ToBase64String(principal);
            if (_access.Authorize(route, context.Request) is { } refusal)
            {
                await refusal.ExecuteAsync(context);
                return;
            }
        }

        await next(context);
    }
}
