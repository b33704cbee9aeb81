using System.Net.Http.Json;
using System.Security.Claims;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using ServerlessRec.Http;

namespace ServerlessRec.Client.Tests;

/// <summary>
/// The README's "Use it from your web app" snippet, line for line, in a real web app on Kestrel that calls the real
/// <c>serve</c> host with the serving key: a view posted through the web app changes what it recommends next.
/// </summary>
public sealed class ReadmeSnippetTests : IAsyncLifetime
{
    private readonly ServeHost _serve = new();
    private WebApplication _web = null!;

    public async Task InitializeAsync()
    {
        await _serve.InitializeAsync();
        _serve.Platform.RequireFunctionKeys(new Dictionary<RouteGroup, string>
        {
            [RouteGroup.Serving] = "the-serving-key",
            [RouteGroup.Privacy] = "p",
            [RouteGroup.Operations] = "o",
        });

        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ServerlessRec:BaseAddress"] = _serve.BaseAddress.AbsoluteUri,
            ["ServerlessRec:ServingKey"] = "the-serving-key",
        });

        // ---- README snippet: begin ----
        builder.Services.AddServerlessRecClient(o =>
        {
            o.BaseAddress = new Uri(builder.Configuration["ServerlessRec:BaseAddress"]!);
            o.ServingKey = builder.Configuration["ServerlessRec:ServingKey"]; // or: o.Credential = new DefaultAzureCredential(); o.Scope = "api://<API client id>/.default";
        });
        var app = builder.Build();
        app.Use(SignInFromTestHeader); // stands in for the web app's own sign-in
        app.MapPost("/viewed/{itemId}", (string itemId, ClaimsPrincipal user, IServerlessRecClient rec) =>
            rec.PostEventsAsync([new() { UserId = user.FindFirstValue(ClaimTypes.NameIdentifier)!, ItemId = itemId, Type = "view" }]));
        app.MapGet("/for-you", async (ClaimsPrincipal user, IServerlessRecClient rec) =>
            (await rec.RecommendAsync(new() { UserId = user.FindFirstValue(ClaimTypes.NameIdentifier)!, K = 5 })).Items);
        // ---- README snippet: end ----

        _web = app;
        await _web.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _web.StopAsync();
        await _web.DisposeAsync();
        await _serve.DisposeAsync();
    }

    [Fact]
    public async Task Snippet_ViewPostedThroughTheWebApp_NextRecommendationsFollowIt()
    {
        using var browser = new HttpClient { BaseAddress = new Uri(_web.Urls.Single().TrimEnd('/') + "/") };
        browser.DefaultRequestHeaders.Add("X-Test-User", "shopper-" + Guid.NewGuid().ToString("N")[..8]);

        var before = await browser.GetFromJsonAsync<List<RecommendedItem>>(new Uri("for-you", UriKind.Relative));
        using var viewed = await browser.PostAsync(new Uri($"viewed/{before![0].ItemId}", UriKind.Relative), content: null);
        var after = await browser.GetFromJsonAsync<List<RecommendedItem>>(new Uri("for-you", UriKind.Relative));

        viewed.EnsureSuccessStatusCode();
        Assert.Equal(5, after!.Count);
        Assert.DoesNotContain(after, item => item.ItemId == before[0].ItemId);
        Assert.All(_serve.Attempts, a => Assert.Equal("the-serving-key", a.FunctionKey));
        Assert.Single(_serve.AttemptsAt("POST", "/api/events"));
    }

    [Fact]
    public void Readme_CSharpSnippetOfUseItFromYourWebApp_IsTheCodeThisTestRuns()
    {
        var root = RepositoryRoot();
        var readme = File.ReadAllText(Path.Combine(root, "README.md"));
        var section = readme[readme.IndexOf("## Use it from your web app", StringComparison.Ordinal)..];
        var start = section.IndexOf("```csharp\n", StringComparison.Ordinal) + "```csharp\n".Length;
        var documented = section[start..section.IndexOf("```", start, StringComparison.Ordinal)].Split('\n', StringSplitOptions.RemoveEmptyEntries);

        var source = File.ReadAllText(Path.Combine(root, "tests", "ServerlessRec.Client.Tests", "ReadmeSnippetTests.cs"));
        var from = source.IndexOf("// ---- README snippet: begin ----", StringComparison.Ordinal);
        var to = source.IndexOf("// ---- README snippet: end ----", from, StringComparison.Ordinal);
        var run = source[from..to].Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0 && !l.Contains("SignInFromTestHeader", StringComparison.Ordinal) && !l.StartsWith("// ----", StringComparison.Ordinal)).ToList();

        Assert.Equal(run, documented.Select(l => l.Trim()));
    }

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "ServerlessRec.sln")))
            {
                return directory.FullName;
            }
        }

        throw new DirectoryNotFoundException("no ServerlessRec.sln above the test assembly");
    }

    private static Task SignInFromTestHeader(HttpContext context, RequestDelegate next)
    {
        context.User = new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.NameIdentifier, context.Request.Headers["X-Test-User"].ToString())], "test"));
        return next(context);
    }
}
