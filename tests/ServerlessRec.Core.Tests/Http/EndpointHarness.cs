using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ServerlessRec.Http;
using ServerlessRec.Serving;
using ServerlessRec.Storage;

namespace ServerlessRec.Core.Tests.Http;

/// <summary>An HTTP answer as the client would see it.</summary>
public sealed record EndpointResponse(int Status, string? ContentType, string Body)
{
    /// <summary>Gets the response headers.</summary>
    public IReadOnlyDictionary<string, string> Headers { get; init; } = new Dictionary<string, string>();
}

/// <summary>
/// The handlers of <see cref="RouteTable"/> wired as both hosts wire them (<see cref="ServingServiceCollectionExtensions.AddServingEndpoints"/>),
/// called with a plain <see cref="DefaultHttpContext"/> and their result executed into bytes, with every log entry captured.
/// </summary>
public sealed class EndpointHarness : IDisposable
{
    private readonly ServiceProvider _services;

    public EndpointHarness(IBlobStore store, TimeProvider? time = null, int historyMaxAttempts = UserHistoryStore.DefaultMaxAttempts, Action<IServiceCollection>? configure = null)
    {
        var services = new ServiceCollection();
        services.AddLogging(logging => logging.AddProvider(Logs).SetMinimumLevel(LogLevel.Trace));
        services.AddSingleton(store);
        services.AddSingleton(time ?? TimeProvider.System);
        services.AddSingleton(new UserHistoryStore(store, maxAttempts: historyMaxAttempts));
        configure?.Invoke(services);
        services.AddServingEndpoints("harness");
        _services = services.BuildServiceProvider();
    }

    public CapturingLoggerProvider Logs { get; } = new();

    public void Dispose() => _services.Dispose();

    /// <summary>
    /// Sends a request to the route with this name; <paramref name="routeValues"/> are already decoded, as routing gives
    /// them; a body goes with <paramref name="contentType"/> (none when null); <paramref name="headers"/> are added.
    /// </summary>
    public async Task<EndpointResponse> SendAsync(string routeName, string? body = null, string query = "", IReadOnlyDictionary<string, string>? routeValues = null, IReadOnlyDictionary<string, string>? headers = null, string? contentType = "application/json")
    {
        var route = RouteTable.Routes.Single(r => r.Name == routeName);
        var context = new DefaultHttpContext { RequestServices = _services };
        context.Request.Method = route.Method;
        context.Request.QueryString = new QueryString(query);
        foreach (var (name, value) in routeValues ?? new Dictionary<string, string>())
        {
            context.Request.RouteValues[name] = value;
        }

        foreach (var (name, value) in headers ?? new Dictionary<string, string>())
        {
            context.Request.Headers[name] = value;
        }

        if (body is not null)
        {
            var bytes = Encoding.UTF8.GetBytes(body);
            context.Request.Body = new MemoryStream(bytes);
            context.Request.ContentLength = bytes.Length;
            context.Request.ContentType = contentType;
        }

        using var responseBody = new MemoryStream();
        context.Response.Body = responseBody;
        var result = await route.Handler(_services, context.Request, CancellationToken.None);
        await result.ExecuteAsync(context);
        return new EndpointResponse(context.Response.StatusCode, context.Response.ContentType, Encoding.UTF8.GetString(responseBody.ToArray()))
        {
            Headers = context.Response.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase),
        };
    }
}
