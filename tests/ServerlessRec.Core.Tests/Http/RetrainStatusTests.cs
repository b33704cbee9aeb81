using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using ServerlessRec.Core.Tests.Storage;
using ServerlessRec.Events;
using ServerlessRec.Http;
using ServerlessRec.Pipeline;
using ServerlessRec.Retrieval;
using ServerlessRec.Storage;
using ServerlessRec.Tests.Durable;
using ServerlessRec.Training;

namespace ServerlessRec.Core.Tests.Http;

/// <summary>
/// <c>GET /api/retrain/{instanceId}</c> for runs that ended without writing their record (a crash of the record write,
/// an operator's terminate): the answer names the run, the step it stopped in and an outcome that agrees with the status.
/// </summary>
public sealed class RetrainStatusTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "srec-status-" + Guid.NewGuid().ToString("N"));
    private readonly LocalFolderBlobStore _inner;
    private readonly FaultInjectingBlobStore _store;

    public RetrainStatusTests()
    {
        _inner = new LocalFolderBlobStore(new StorageOptions { LocalRoot = _root });
        _store = new FaultInjectingBlobStore(_inner);
    }

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    private static RetrainInput Input() => RetrainInput.From("test", new RetrainOptions { MaxAttempts = 1, FirstRetryInterval = TimeSpan.FromMilliseconds(20) }, new DateTimeOffset(2026, 3, 1, 0, 0, 0, TimeSpan.Zero));

    private Task<DurableTaskTestHost> StartHostAsync() =>
        TestDurableHost.StartAsync(tasks => { var datasets = new RetrainDatasetCache(); tasks.AddRetrain(() => new RetrainActivities(_store, new EmbeddedItemIndexPublisher(_store), new TwoTowerOptions(), new EventTypeOptions(), new FakeTimeProvider(), datasets: datasets)); });

    private static async Task<(int Status, JsonElement Body)> GetStatusAsync(DurableTaskClient client, string instanceId)
    {
        using var services = new ServiceCollection().AddLogging().BuildServiceProvider();
        var context = new DefaultHttpContext { RequestServices = services };
        using var body = new MemoryStream();
        context.Response.Body = body;
        var endpoints = new RetrainEndpoints(new RetrainOptions(), NullLogger<RetrainEndpoints>.Instance);
        var result = await endpoints.StatusAsync(context.Request, client, instanceId);
        await result.ExecuteAsync(context);
        return (context.Response.StatusCode, JsonDocument.Parse(Encoding.UTF8.GetString(body.ToArray())).RootElement.Clone());
    }

    [Fact]
    public async Task Status_RunFailedWritingItsRecord_NamesTheRunTheStepAndTheFailedOutcome()
    {
        // No logs: the run ends as no-data at once, and its record cannot be written.
        _store.Fail("run record write", c => c.Operation == BlobOperation.Write && c.Container == ContainerNames.Runs && !c.Name.Contains('/', StringComparison.Ordinal));
        await using var host = await StartHostAsync();
        var id = await host.Client.ScheduleNewOrchestrationInstanceAsync(RetrainOrchestration.Name, Input());
        var metadata = await host.Client.WaitForInstanceCompletionAsync(id);

        var (status, body) = await GetStatusAsync(host.Client, id);

        Assert.Equal(OrchestrationRuntimeStatus.Failed, metadata.RuntimeStatus);
        Assert.Equal(StatusCodes.Status200OK, status);
        Assert.Equal("failed", body.GetProperty("status").GetString());
        Assert.Equal("failed", body.GetProperty("outcome").GetString());
        Assert.Equal("writeRunRecord", body.GetProperty("step").GetString());
        Assert.Matches("^[0-9]{8}-[0-9]{6}-[0-9a-f]{6}$", body.GetProperty("runId").GetString());
        Assert.Contains("WriteRunRecord", body.GetProperty("reason").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Status_RunTerminatedMidStep_SaysTerminatedWithTheRunAndTheStep()
    {
        using var inStep = new SemaphoreSlim(0);
        using var release = new SemaphoreSlim(0);
        _store.Fail(
            "a step that hangs",
            c => c.Operation == BlobOperation.List && c.Container == ContainerNames.Runs && c.Name == RetrainActivities.WorkFolder + "/",
            failures: 1,
            exception: _ =>
            {
                inStep.Release();
                release.Wait(TimeSpan.FromSeconds(30));
                return new IOException("host went away (simulated)");
            });
        await using var host = await StartHostAsync();
        var id = await host.Client.ScheduleNewOrchestrationInstanceAsync(RetrainOrchestration.Name, Input());
        Assert.True(await inStep.WaitAsync(TimeSpan.FromSeconds(30)));

        await host.Client.TerminateInstanceAsync(id);
        var metadata = await host.Client.WaitForInstanceCompletionAsync(id);
        var (_, body) = await GetStatusAsync(host.Client, id);
        release.Release();

        Assert.Equal(OrchestrationRuntimeStatus.Terminated, metadata.RuntimeStatus);
        Assert.Equal("terminated", body.GetProperty("status").GetString());
        Assert.Equal("terminated", body.GetProperty("outcome").GetString());
        Assert.Equal("removeStaleScratch", body.GetProperty("step").GetString());
        Assert.False(string.IsNullOrEmpty(body.GetProperty("runId").GetString()));
        Assert.Contains("removeStaleScratch", body.GetProperty("reason").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Status_SingletonUnknownToThisHost_Returns404WithoutContradictingItself()
    {
        await using var host = await StartHostAsync();

        var (status, body) = await GetStatusAsync(host.Client, RetrainScheduler.InstanceId);

        Assert.Equal(StatusCodes.Status404NotFound, status);
        var detail = body.GetProperty("detail").GetString()!;
        Assert.DoesNotContain("use the id", detail, StringComparison.Ordinal);
        Assert.Contains("runs/", detail, StringComparison.Ordinal);
    }
}
