using ServerlessRec.Storage;

namespace ServerlessRec.Client.Tests;

/// <summary>The operations calls that change the live model or start work, each on its own real <c>serve</c> host.</summary>
public sealed class ServerlessRecClientOperationsTests : IAsyncLifetime
{
    private readonly ServeHost _host = new();
    private IServerlessRecClient _client = null!;

    public async Task InitializeAsync()
    {
        await _host.InitializeAsync();
        _client = _host.CreateClient();
    }

    public Task DisposeAsync() => _host.DisposeAsync();

    [Fact]
    public async Task ActivateModelAsync_KeptVersion_MakesItLiveAndStatusRecordsTheRollback()
    {
        var activation = await _client.ActivateModelAsync("v1", reason: "v2 ranks stale items", requestedBy: "ops-pipeline");
        var again = await _client.ActivateModelAsync("v1");
        var status = await _client.GetStatusAsync();

        Assert.Equal(("v1", "v2", "rollback", "ops-pipeline", true), (activation.Version, activation.PreviousVersion, activation.Trigger, activation.ActivatedBy, activation.Changed));
        Assert.NotNull(activation.RunId);
        Assert.False(again.Changed);
        Assert.Equal("v1", status.Live!.Version);
        Assert.Equal("rollback", status.Runs[0].Trigger);
        Assert.Equal("activated", status.Runs[0].Outcome);
    }

    [Fact]
    public async Task ActivateModelAsync_UnknownVersion_ThrowsNotFoundNamingVersion()
    {
        var error = await Assert.ThrowsAsync<ServerlessRecNotFoundException>(() => _client.ActivateModelAsync("v9"));

        Assert.Equal("version", error.Field);
    }

    [Fact]
    public async Task ActivateModelAsync_TamperedVersion_ThrowsConflictNamingTheFile()
    {
        await Cli.Tests.Commands.KeptVersions.TamperAsync(_host.Store, "v1", Onnx.ModelManifest.UserTowerFile);

        var error = await Assert.ThrowsAsync<ServerlessRecConflictException>(() => _client.ActivateModelAsync("v1"));

        Assert.Contains(Onnx.ModelManifest.UserTowerFile, error.Detail, StringComparison.Ordinal);
        Assert.Equal("version", error.Field);
        Assert.Single(_host.AttemptsAt("POST", "/api/models/v1/activate"));
        Assert.Equal("v2", (await Serving.ModelPointer.ReadAsync(_host.Store)).Pointer!.Version);
    }

    [Fact]
    public async Task StartRetrainAsync_ThenGetRetrainStatusAsync_ReportsTheRunUntilItEnds()
    {
        var started = await _client.StartRetrainAsync();

        var status = await _client.GetRetrainStatusAsync(started.InstanceId);
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!status.HasEnded && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
            status = await _client.GetRetrainStatusAsync(started.InstanceId);
        }

        Assert.Equal(started.InstanceId, status.InstanceId);
        Assert.EndsWith(Uri.EscapeDataString(started.InstanceId), started.StatusUrl, StringComparison.Ordinal);
        // The store holds a model but no events: the run ends without training anything.
        Assert.True(status.HasEnded, $"still {status.Status} at {status.Step}");
        Assert.Equal("completed", status.Status);
        Assert.Equal("no-data", status.Outcome);
        Assert.NotNull(status.RunId);
        Assert.NotNull(await _host.Store.ReadAsync(ContainerNames.Runs, status.RunId + ".json"));
    }

    [Fact]
    public async Task GetRetrainStatusAsync_UnknownInstance_ThrowsNotFound()
    {
        await Assert.ThrowsAsync<ServerlessRecNotFoundException>(() => _client.GetRetrainStatusAsync("no-such-run"));
    }
}
