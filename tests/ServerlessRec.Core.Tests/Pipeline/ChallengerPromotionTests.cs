using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using ServerlessRec.Core.Tests.Http;
using ServerlessRec.Onnx;
using ServerlessRec.Pipeline;
using ServerlessRec.Retrieval;
using ServerlessRec.Serving;
using ServerlessRec.Storage;

namespace ServerlessRec.Core.Tests.Pipeline;

/// <summary>
/// Promotion of the challenger over a local store: <c>POST /api/models/challenger/promote</c> makes it live (trigger
/// <c>promotion</c>, recorded like a rollback) and removes <c>models/challenger.json</c>; no challenger is a 404, a
/// challenger changed during the checks a 409 that changes nothing; any activation of the challenger's version ends the challenge.
/// </summary>
public sealed class ChallengerPromotionTests : IDisposable
{
    private static readonly DateTimeOffset Now = TestDatasets.Start.AddDays(40);
    private readonly string _root = Path.Combine(Path.GetTempPath(), "srec-promote-" + Guid.NewGuid().ToString("N"));
    private readonly LocalFolderBlobStore _store;
    private readonly FakeTimeProvider _time = new(Now);

    public ChallengerPromotionTests() => _store = new LocalFolderBlobStore(new StorageOptions { LocalRoot = _root });

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    [Fact]
    public async Task PromoteChallenger_Route_FlipsTheLivePointerRemovesTheChallengerAndRecordsThePromotion()
    {
        await PublishWithV2LiveAndV1ChallengingAsync();
        using var harness = new EndpointHarness(_store, _time);

        var response = await harness.SendAsync("PromoteChallenger", """{"reason":"CTR up 2 points","requestedBy":"alice"}""");

        Assert.Equal(200, response.Status);
        using var body = JsonDocument.Parse(response.Body);
        Assert.Equal(("v1", "v2", "promotion", true), (body.RootElement.GetProperty("version").GetString(), body.RootElement.GetProperty("previousVersion").GetString(), body.RootElement.GetProperty("trigger").GetString(), body.RootElement.GetProperty("changed").GetBoolean()));
        var (live, _) = await ModelPointer.ReadAsync(_store);
        Assert.Equal(("v1", "v2", ModelActivation.PromotionTrigger, "alice", "CTR up 2 points"), (live!.Version, live.PreviousVersion, live.Trigger, live.ActivatedBy, live.Reason));
        Assert.Null((await ChallengerPointer.ReadAsync(_store)).Pointer);
        var runId = body.RootElement.GetProperty("runId").GetString()!;
        var record = JsonSerializer.Deserialize<RetrainRunRecord>((await _store.ReadAsync(ContainerNames.Runs, runId + ".json"))!.Content.Span)!;
        Assert.Equal((ModelActivation.PromotionTrigger, RunOutcome.Activated, "v1", "promoted challenger v1 over v2 by alice: CTR up 2 points"), (record.Trigger, record.Outcome, record.Version, record.Reason));
        var status = await CreateSut().GetStatusAsync(runs: 0);
        Assert.Equal(runId, status.LastPromotion!.RunId);
        Assert.Null(status.Challenger);
    }

    [Fact]
    public async Task PromoteChallenger_Route_NoChallenger_Answers404NamingTheChallenger()
    {
        await PublishWithV2LiveAndV1ChallengingAsync();
        await CreateSut().StopChallengeAsync();
        using var harness = new EndpointHarness(_store, _time);

        var response = await harness.SendAsync("PromoteChallenger", "{}");

        Assert.Equal(404, response.Status);
        Assert.Equal("application/problem+json", response.ContentType);
        using var body = JsonDocument.Parse(response.Body);
        Assert.Equal("challenger", body.RootElement.GetProperty("field").GetString());
        Assert.Contains("no challenger runs", body.RootElement.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal("v2", (await ModelPointer.ReadAsync(_store)).Pointer!.Version);
    }

    [Fact]
    public async Task PromoteChallenger_Route_ChallengerChangedDuringTheChecks_Answers409AndChangesNothing()
    {
        await PublishWithV2LiveAndV1ChallengingAsync();
        // Another operator widens the share while the promotion checks v1's index.
        var racing = new ChangeDuringIndexCheck(_store, () => CreateSut().ChallengeAsync("v1", 0.3, "bob", "more traffic"));
        using var harness = new EndpointHarness(_store, _time, configure: services => services.AddSingleton<IModelIndexVerifier>(racing));

        var response = await harness.SendAsync("PromoteChallenger", "{}");

        Assert.Equal(409, response.Status);
        Assert.True(racing.Changed);
        Assert.Equal("v2", (await ModelPointer.ReadAsync(_store)).Pointer!.Version);
        var (challenger, _) = await ChallengerPointer.ReadAsync(_store);
        Assert.Equal(("v1", 0.3), (challenger!.Version, challenger.Share));
    }

    [Fact]
    public async Task PromoteChallenger_LivePointerChangedDuringTheChecks_ThrowsAndTheChallengeGoesOn()
    {
        await PublishWithV2LiveAndV1ChallengingAsync();
        await TestModels.PublishSmallAsync(_store, "v3");
        var racing = new ChangeDuringIndexCheck(_store, () => ModelActivation.ActivateAsync(_store, "v3", Now));

        await Assert.ThrowsAsync<BlobConditionFailedException>(() => new ModelAdministration(_store, racing, _time).PromoteChallengerAsync("alice", null));

        Assert.Equal("v3", (await ModelPointer.ReadAsync(_store)).Pointer!.Version);
        Assert.Equal("v1", (await ChallengerPointer.ReadAsync(_store)).Pointer!.Version);
    }

    [Fact]
    public async Task PromoteChallenger_ChallengerIsAlreadyLive_OnlyRemovesItsPointer()
    {
        await PublishWithV2LiveAndV1ChallengingAsync();
        var (current, etag) = await ChallengerPointer.ReadAsync(_store);
        await ChallengerPointer.WriteAsync(_store, current! with { Version = "v2" }, etag);

        var result = await CreateSut().PromoteChallengerAsync("alice", null);

        Assert.False(result.Changed);
        Assert.True(result.ChallengerRemoved);
        Assert.Null(result.RunId);
        Assert.Null((await ChallengerPointer.ReadAsync(_store)).Pointer);
        var (live, _) = await ModelPointer.ReadAsync(_store);
        Assert.Equal(("v2", ModelActivation.RetrainTrigger), (live!.Version, live.Trigger));
    }

    [Fact]
    public async Task PromoteChallenger_TamperedArtefact_IsRefusedAndTheChallengeGoesOn()
    {
        await PublishWithV2LiveAndV1ChallengingAsync();
        var name = ModelPackage.BlobName("v1", ModelManifest.ItemVectorsFile);
        var bytes = (await _store.ReadAsync(ContainerNames.Models, name))!.Content.ToArray();
        bytes[bytes.Length / 2] ^= 0x01;
        await _store.WriteAsync(ContainerNames.Models, name, bytes);

        await Assert.ThrowsAsync<ModelActivationRefusedException>(() => CreateSut().PromoteChallengerAsync("alice", null));

        Assert.Equal("v2", (await ModelPointer.ReadAsync(_store)).Pointer!.Version);
        Assert.Equal("v1", (await ChallengerPointer.ReadAsync(_store)).Pointer!.Version);
    }

    [Fact]
    public async Task Rollback_ToTheChallengerVersion_EndsTheChallenge()
    {
        await PublishWithV2LiveAndV1ChallengingAsync();

        await CreateSut().RollbackAsync("v1", "alice", "back to v1");

        Assert.Equal("v1", (await ModelPointer.ReadAsync(_store)).Pointer!.Version);
        Assert.Null((await ChallengerPointer.ReadAsync(_store)).Pointer);
    }

    [Fact]
    public async Task Activate_RetrainingActivatesTheChallengerVersion_EndsTheChallenge()
    {
        await PublishWithV2LiveAndV1ChallengingAsync();

        await ModelActivation.ActivateAsync(_store, "v1", Now);

        Assert.Null((await ChallengerPointer.ReadAsync(_store)).Pointer);
    }

    [Fact]
    public async Task Rollback_ToAnotherVersion_KeepsTheChallenger()
    {
        await PublishWithV2LiveAndV1ChallengingAsync();
        await TestModels.PublishSmallAsync(_store, "v3");

        await CreateSut().RollbackAsync("v3", "alice", null);

        Assert.Equal("v1", (await ChallengerPointer.ReadAsync(_store)).Pointer!.Version);
    }

    private ModelAdministration CreateSut() => new(_store, new EmbeddedModelIndexVerifier(_store), _time);

    private async Task PublishWithV2LiveAndV1ChallengingAsync()
    {
        await TestModels.PublishSmallAsync(_store, "v1");
        await TestModels.PublishSmallAsync(_store, "v2");
        await ModelActivation.ActivateAsync(_store, "v1", Now.AddDays(-10));
        await ModelActivation.ActivateAsync(_store, "v2", Now.AddDays(-5));
        await CreateSut().ChallengeAsync("v1", 0.1, "alice", "old model, new features");
    }

    /// <summary>The embedded index check, with a concurrent change made the first time it runs (between the promotion's reads and its writes).</summary>
    private sealed class ChangeDuringIndexCheck(IBlobStore store, Func<Task> change) : IModelIndexVerifier
    {
        private readonly EmbeddedModelIndexVerifier _inner = new(store);

        public bool Changed { get; private set; }

        public async Task<string?> FindProblemAsync(ModelManifest manifest, CancellationToken cancellationToken = default)
        {
            if (!Changed)
            {
                Changed = true;
                await change();
            }

            return await _inner.FindProblemAsync(manifest, cancellationToken);
        }
    }
}
