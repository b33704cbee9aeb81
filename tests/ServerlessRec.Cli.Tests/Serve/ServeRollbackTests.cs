using System.Net;
using System.Text;
using System.Text.Json;
using ServerlessRec.Cli.Commands;
using ServerlessRec.Cli.Tests.Commands;
using ServerlessRec.Http;
using ServerlessRec.Onnx;
using ServerlessRec.Serving;
using ServerlessRec.Storage;

namespace ServerlessRec.Cli.Tests.Serve;

/// <summary>
/// Rollback over HTTP on the real <c>serve</c> host: <c>POST /api/models/{version}/activate</c> (Operations group) makes a
/// kept version live and the recommendations follow it; a tampered version, an unknown one and a malformed name are
/// problem+json answers that leave the live model as it was.
/// </summary>
public sealed class ServeRollbackTests : IAsyncLifetime
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "srec-serve-rollback-" + Guid.NewGuid().ToString("N"));
    private Microsoft.AspNetCore.Builder.WebApplication _app = null!;
    private LocalFolderBlobStore _store = null!;
    private HttpClient Client { get; set; } = null!;

    public async Task InitializeAsync()
    {
        _store = await KeptVersions.PublishAsync(_root);
        _app = ServeCommand.CreateApp(_root, "http://127.0.0.1:0", TimeProvider.System);
        await _app.StartAsync();
        Client = new HttpClient { BaseAddress = new Uri(_app.Urls.Single().TrimEnd('/') + "/"), Timeout = TimeSpan.FromSeconds(30) };
    }

    public async Task DisposeAsync()
    {
        Client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    [Fact]
    public void RouteTable_ModelRoutes_AreInTheOperationsGroup()
    {
        Assert.Equal(RouteGroup.Operations, RouteTable.Routes.Single(r => r.Name == "ActivateModel").Group);
        Assert.Equal(RouteGroup.Operations, RouteTable.Routes.Single(r => r.Name == "Status").Group);
    }

    [Fact]
    public async Task ActivateModel_KeptVersionOverHttp_RecommendationsComeFromItAndStatusShowsIt()
    {
        Assert.Equal("v2", await RecommendedVersionAsync());

        using var response = await PostAsync("api/models/v1/activate", """{"reason":"v2 ranks stale items","requestedBy":"ops-pipeline"}""");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using (var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()))
        {
            Assert.Equal("v1", body.RootElement.GetProperty("version").GetString());
            Assert.Equal("v2", body.RootElement.GetProperty("previousVersion").GetString());
            Assert.Equal("rollback", body.RootElement.GetProperty("trigger").GetString());
            Assert.Equal("ops-pipeline", body.RootElement.GetProperty("activatedBy").GetString());
            Assert.True(body.RootElement.GetProperty("changed").GetBoolean());
        }

        // serve re-reads the pointer every 5 s.
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (await RecommendedVersionAsync() != "v1" && DateTime.UtcNow < deadline)
        {
            await Task.Delay(250);
        }

        Assert.Equal("v1", await RecommendedVersionAsync());
        using var status = JsonDocument.Parse(await Client.GetStringAsync(new Uri("api/status", UriKind.Relative)));
        Assert.Equal("v1", status.RootElement.GetProperty("live").GetProperty("version").GetString());
        Assert.Equal("rollback", status.RootElement.GetProperty("runs")[0].GetProperty("trigger").GetString());
    }

    [Fact]
    public async Task ActivateModel_TamperedVersion_Is409NamingTheFileAndThePointerIsUnchanged()
    {
        await KeptVersions.TamperAsync(_store, "v1", ModelManifest.UserTowerFile);

        using var response = await PostAsync("api/models/v1/activate", "{}");

        var problem = await ProblemAsync(response, HttpStatusCode.Conflict);
        Assert.Contains(ModelManifest.UserTowerFile, problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal("v2", (await ModelPointer.ReadAsync(_store)).Pointer!.Version);
    }

    [Fact]
    public async Task ActivateModel_UnknownVersion_Is404()
    {
        using var response = await PostAsync("api/models/v9/activate", "{}");

        var problem = await ProblemAsync(response, HttpStatusCode.NotFound);
        Assert.Equal("version", problem.GetProperty("field").GetString());
    }

    [Theory]
    [InlineData("v%201")]
    [InlineData("..%2Fv1")]
    public async Task ActivateModel_MalformedVersion_Is400NamingTheField(string version)
    {
        using var response = await PostAsync($"api/models/{version}/activate", "{}");

        var problem = await ProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Equal("version", problem.GetProperty("field").GetString());
        Assert.Equal("v2", (await ModelPointer.ReadAsync(_store)).Pointer!.Version);
    }

    private async Task<string?> RecommendedVersionAsync()
    {
        using var response = await PostAsync("api/recommendations", """{"userId":"u1","k":3}""");
        response.EnsureSuccessStatusCode();
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return body.RootElement.GetProperty("modelVersion").GetString();
    }

    private Task<HttpResponseMessage> PostAsync(string path, string json) =>
        Client.PostAsync(new Uri(path, UriKind.Relative), new StringContent(json, Encoding.UTF8, "application/json"));

    private static async Task<JsonElement> ProblemAsync(HttpResponseMessage response, HttpStatusCode expected)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"{response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        return JsonDocument.Parse(text).RootElement.Clone();
    }
}
