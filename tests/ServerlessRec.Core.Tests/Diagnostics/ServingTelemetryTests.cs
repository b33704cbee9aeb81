using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using ServerlessRec.Core.Tests.Http;
using ServerlessRec.Core.Tests.Onnx;
using ServerlessRec.Core.Tests.Serving;
using ServerlessRec.Diagnostics;
using ServerlessRec.Onnx;
using ServerlessRec.Serving;
using ServerlessRec.Storage;

namespace ServerlessRec.Core.Tests.Diagnostics;

/// <summary>The serving instruments, recorded by the real handlers (<see cref="EndpointHarness"/> wires them as both hosts do).</summary>
public sealed class ServingTelemetryTests(ServingFixture fixture) : IClassFixture<ServingFixture>, IDisposable
{
    private readonly ServerlessRecTelemetry _telemetry = new();
    private readonly string _root = Path.Combine(Path.GetTempPath(), "srec-telemetry-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        _telemetry.Dispose();
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    [Fact]
    public async Task Recommend_ThroughTheEndpoint_RecordsLatencyBySourceAndModelVersionInAnActivity()
    {
        using var recorder = new TelemetryRecorder(_telemetry);
        using var harness = new EndpointHarness(fixture.Store, configure: services => services.AddSingleton(_telemetry));

        var popular = await harness.SendAsync("Recommendations", """{"userId":"telemetry-nobody","k":3}""");
        var request = await harness.SendAsync("Recommendations", """{"userId":"telemetry-request","k":3,"recentEvents":[{"itemId":"i1","type":"like"},{"itemId":"i2","type":"view"}]}""");

        Assert.Equal(200, popular.Status);
        Assert.Equal(200, request.Status);
        var durations = recorder.Of(ServerlessRecTelemetry.RecommendationDuration);
        Assert.Equal(["popular", "request"], durations.Select(d => d.Tag("source")).Order(StringComparer.Ordinal));
        Assert.All(durations, d => Assert.Equal("v1", d.Tag("model.version")));
        Assert.All(durations, d => Assert.True(d.Value >= 0));
        Assert.Equal(2, recorder.Of(ServerlessRecTelemetry.HistoryReadDuration).Count);
        var activities = recorder.Activities("recommend");
        Assert.Equal(["popular", "request"], activities.Select(a => a.GetTagItem("source") as string).Order(StringComparer.Ordinal));
        Assert.All(activities, a => Assert.Equal("v1", a.GetTagItem("model.version")));
    }

    [Fact]
    public async Task Recommend_RemoteIndexCannotBeOpened_CountsTheFallbackByReason()
    {
        using var recorder = new TelemetryRecorder(_telemetry);
        using var harness = new EndpointHarness(fixture.Store, configure: services =>
        {
            services.AddSingleton(_telemetry);
            services.AddSingleton<IServingIndexResolver>(new UnreachableResolver());
        });
        await harness.SendAsync("PostEvents", """{"events":[{"userId":"telemetry-fallback","itemId":"i3","type":"like"}]}""");

        var response = await harness.SendAsync("Recommendations", """{"userId":"telemetry-fallback","k":3}""");

        Assert.Equal("fallback", JsonDocument.Parse(response.Body).RootElement.GetProperty("source").GetString());
        var fallback = Assert.Single(recorder.Of(ServerlessRecTelemetry.RecommendationFallbacks));
        Assert.Equal("index-open-error", fallback.Tag("reason"));
        Assert.Equal("fallback", Assert.Single(recorder.Of(ServerlessRecTelemetry.RecommendationDuration)).Tag("source"));
    }

    [Fact]
    public async Task PostEvents_RejectedAndAcceptedPosts_CountedByFieldAndByType()
    {
        using var recorder = new TelemetryRecorder(_telemetry);
        using var harness = new EndpointHarness(fixture.Store, configure: services => services.AddSingleton(_telemetry));

        var unknownType = await harness.SendAsync("PostEvents", """{"events":[{"userId":"telemetry-events","itemId":"i1","type":"view"},{"userId":"telemetry-events","itemId":"i2","type":"teleport"}]}""");
        var malformed = await harness.SendAsync("PostEvents", """{"events":[{"userId":""");
        var accepted = await harness.SendAsync("PostEvents", """{"events":[{"userId":"telemetry-events","itemId":"i1","type":"view"},{"userId":"telemetry-events","itemId":"i2","type":"view"},{"userId":"telemetry-events","itemId":"i3","type":"like"}]}""");

        Assert.Equal([400, 400, 202], [unknownType.Status, malformed.Status, accepted.Status]);
        Assert.Equal(["body-json", "events[].type"], recorder.Of(ServerlessRecTelemetry.EventsRejected).Select(r => r.Tag("reason")).Order(StringComparer.Ordinal));
        var byType = recorder.Of(ServerlessRecTelemetry.EventsAccepted).GroupBy(a => a.Tag("type")!).ToDictionary(g => g.Key, g => g.Sum(a => a.Value));
        Assert.Equal(new Dictionary<string, double> { ["view"] = 2, ["like"] = 1 }, byType);
    }

    [Fact]
    public async Task Health_LiveVersionsOnnxFileCorrupted_DegradedWithTheErrorCountedAndLogged()
    {
        var store = new LocalFolderBlobStore(new StorageOptions { LocalRoot = _root });
        var time = new FakeTimeProvider(TestDatasets.Start);
        await ActivateAsync(store, ModelPackageTests.ExportSmall("v1"));
        using var recorder = new TelemetryRecorder(_telemetry);
        using var harness = new EndpointHarness(store, time, configure: services => services.AddSingleton(_telemetry));
        var healthy = await harness.SendAsync("Health");

        // v2's user tower is damaged after it was written (a bad copy): its hash no longer matches.
        var broken = ModelPackageTests.ExportSmall("v2");
        await broken.WriteAsync(store);
        var tower = broken.Artifact(ModelManifest.UserTowerFile).ToArray();
        tower[tower.Length / 2] ^= 0x5A;
        await store.WriteAsync(ContainerNames.Models, ModelPackage.BlobName("v2", ModelManifest.UserTowerFile), tower);
        await PointAtAsync(store, "v2");
        time.Advance(TimeSpan.FromSeconds(10));
        var degraded = await harness.SendAsync("Health");

        Assert.Equal("ok", Status(healthy));
        Assert.Equal(200, degraded.Status);
        Assert.Equal("degraded", Status(degraded));
        Assert.Equal("v1", JsonDocument.Parse(degraded.Body).RootElement.GetProperty("modelVersion").GetString());
        var reason = Assert.Single(JsonDocument.Parse(degraded.Body).RootElement.GetProperty("reasons").EnumerateArray()).GetString();
        Assert.Contains($"model v2: artefact {ModelManifest.UserTowerFile} does not match its SHA-256", reason, StringComparison.Ordinal);
        Assert.Equal("v2", Assert.Single(recorder.Of(ServerlessRecTelemetry.ModelLoadFailures)).Tag("model.version"));
        var logged = Assert.Single(harness.Logs.Logs, l => l.EventId.Id == 2301);
        Assert.Equal(LogLevel.Error, logged.Level);
        Assert.Contains("v2", logged.Message, StringComparison.Ordinal);
        Assert.Contains(nameof(ModelIntegrityException), logged.Exception, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Health_ActivatedVersionOnnxRuntimeRefuses_DegradedUntilALaterVersionLoads()
    {
        var store = new LocalFolderBlobStore(new StorageOptions { LocalRoot = _root });
        var time = new FakeTimeProvider(TestDatasets.Start);
        await ActivateAsync(store, ModelPackageTests.ExportSmall("v1"));
        using var recorder = new TelemetryRecorder(_telemetry);
        using var harness = new EndpointHarness(store, time, configure: services => services.AddSingleton(_telemetry));
        Assert.Equal("ok", Status(await harness.SendAsync("Health")));

        // v2's hashes match its files, but its user tower is not an ONNX model: ONNX Runtime refuses it at load.
        var v2 = ModelPackageTests.ExportSmall("v2");
        var artifacts = new Dictionary<string, byte[]>(v2.Artifacts, StringComparer.Ordinal) { [ModelManifest.UserTowerFile] = "not an onnx model"u8.ToArray() };
        await ModelPackage.Seal(v2.Manifest, artifacts).WriteAsync(store);
        await PointAtAsync(store, "v2");
        time.Advance(TimeSpan.FromSeconds(10));
        var degraded = await harness.SendAsync("Health");
        var recommended = await harness.SendAsync("Recommendations", """{"userId":"telemetry-ort","k":3}""");
        time.Advance(TimeSpan.FromSeconds(10));
        var stillDegraded = await harness.SendAsync("Health");
        await ActivateAsync(store, ModelPackageTests.ExportSmall("v3"));
        time.Advance(TimeSpan.FromSeconds(10));
        var recovered = await harness.SendAsync("Health");

        Assert.Equal(200, degraded.Status);
        Assert.Equal("degraded", Status(degraded));
        Assert.Contains("model v2: OnnxRuntimeException", JsonDocument.Parse(degraded.Body).RootElement.GetProperty("reasons")[0].GetString(), StringComparison.Ordinal);
        Assert.Equal(200, recommended.Status);
        Assert.Equal("v1", JsonDocument.Parse(recommended.Body).RootElement.GetProperty("modelVersion").GetString());
        Assert.Equal("degraded", Status(stillDegraded));
        Assert.Equal("ok", Status(recovered));
        Assert.Equal("v3", JsonDocument.Parse(recovered.Body).RootElement.GetProperty("modelVersion").GetString());
        Assert.All(recorder.Of(ServerlessRecTelemetry.ModelLoadFailures), f => Assert.Equal("v2", f.Tag("model.version")));
        Assert.Contains(harness.Logs.Logs, l => l.EventId.Id == 2302 && l.Level == LogLevel.Error && l.Message.Contains("v2", StringComparison.Ordinal) && l.Exception is not null);
    }

    private static string? Status(EndpointResponse response) => JsonDocument.Parse(response.Body).RootElement.GetProperty("status").GetString();

    private static async Task ActivateAsync(IBlobStore store, ModelPackage package)
    {
        await package.WriteAsync(store);
        await PointAtAsync(store, package.Manifest.Version);
    }

    private static async Task PointAtAsync(IBlobStore store, string version)
    {
        var (current, etag) = await ModelPointer.ReadAsync(store);
        await ModelPointer.WriteAsync(store, new ModelPointer { Version = version, ActivatedAt = TestDatasets.Start, PreviousVersion = current?.Version }, etag);
    }

    /// <summary>A remote index (Azure AI Search) that cannot be reached.</summary>
    private sealed class UnreachableResolver : IServingIndexResolver
    {
        public ValueTask<ServerlessRec.Retrieval.IItemIndex> ResolveAsync(ServingModel model, CancellationToken cancellationToken = default) =>
            ValueTask.FromException<ServerlessRec.Retrieval.IItemIndex>(new HttpRequestException("connection refused"));
    }
}
