using Microsoft.Extensions.Time.Testing;
using ServerlessRec.Events;
using ServerlessRec.Onnx;
using ServerlessRec.Pipeline;
using ServerlessRec.Retrieval;
using ServerlessRec.Serving;
using ServerlessRec.Storage;
using ServerlessRec.Training;

namespace ServerlessRec.Core.Tests.Pipeline;

/// <summary>
/// Starting and stopping a challenger over a local store: <c>models/challenger.json</c> is written only for a kept
/// version that passes the activation checks, with a share in (0, 0.5]; the status shows it; cleanup keeps its version.
/// </summary>
public sealed class ChallengerAdministrationTests : IDisposable
{
    private static readonly DateTimeOffset Now = TestDatasets.Start.AddDays(40);
    private readonly string _root = Path.Combine(Path.GetTempPath(), "srec-challenger-" + Guid.NewGuid().ToString("N"));
    private readonly LocalFolderBlobStore _store;
    private readonly FakeTimeProvider _time = new(Now);

    public ChallengerAdministrationTests() => _store = new LocalFolderBlobStore(new StorageOptions { LocalRoot = _root });

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    [Fact]
    public async Task Challenge_KeptVersion_WritesThePointerAndStatusShowsIt()
    {
        await PublishTwoVersionsWithV2LiveAsync();

        var result = await CreateSut().ChallengeAsync("v1", 0.1, "alice", "old model, new features");
        var status = await CreateSut().GetStatusAsync();

        Assert.True(result.Changed);
        var (pointer, etag) = await ChallengerPointer.ReadAsync(_store);
        Assert.NotNull(etag);
        Assert.Equal("v1", pointer!.Version);
        Assert.Equal(0.1, pointer.Share);
        Assert.Equal(Now, pointer.StartedAt);
        Assert.Equal("v2", pointer.ChampionVersion);
        Assert.Equal("alice", pointer.RequestedBy);
        Assert.Equal("old model, new features", pointer.Reason);
        Assert.Equal("v1", status.Challenger!.Version);
        Assert.Equal("v2", status.Live!.Version);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(-0.1)]
    [InlineData(0.51)]
    [InlineData(double.NaN)]
    public async Task Challenge_ShareOutOfRange_ThrowsValidationNamingShareAndWritesNothing(double share)
    {
        await PublishTwoVersionsWithV2LiveAsync();

        var ex = await Assert.ThrowsAsync<RequestValidationException>(() => CreateSut().ChallengeAsync("v1", share, null, null));

        Assert.Equal("share", ex.Field);
        Assert.Null((await ChallengerPointer.ReadAsync(_store)).Pointer);
    }

    [Fact]
    public async Task Challenge_LiveVersion_ThrowsValidationNamingVersion()
    {
        await PublishTwoVersionsWithV2LiveAsync();

        var ex = await Assert.ThrowsAsync<RequestValidationException>(() => CreateSut().ChallengeAsync("v2", 0.2, null, null));

        Assert.Equal("version", ex.Field);
    }

    [Fact]
    public async Task Challenge_UnknownVersion_ThrowsNotFound()
    {
        await PublishTwoVersionsWithV2LiveAsync();

        await Assert.ThrowsAsync<NotFoundException>(() => CreateSut().ChallengeAsync("v9", 0.2, null, null));
    }

    [Fact]
    public async Task Challenge_TamperedArtefact_IsRefusedAndNoPointerIsWritten()
    {
        await PublishTwoVersionsWithV2LiveAsync();
        var name = ModelPackage.BlobName("v1", ModelManifest.ItemVectorsFile);
        var bytes = (await _store.ReadAsync(ContainerNames.Models, name))!.Content.ToArray();
        bytes[bytes.Length / 2] ^= 0x01;
        await _store.WriteAsync(ContainerNames.Models, name, bytes);

        var ex = await Assert.ThrowsAsync<ModelActivationRefusedException>(() => CreateSut().ChallengeAsync("v1", 0.2, null, null));

        Assert.Contains(ModelManifest.ItemVectorsFile, ex.Message, StringComparison.Ordinal);
        Assert.Null((await ChallengerPointer.ReadAsync(_store)).Pointer);
    }

    [Fact]
    public async Task Challenge_NewShareForTheSameVersion_KeepsTheStart()
    {
        await PublishTwoVersionsWithV2LiveAsync();
        await CreateSut().ChallengeAsync("v1", 0.1, null, null);
        _time.Advance(TimeSpan.FromHours(3));

        var same = await CreateSut().ChallengeAsync("v1", 0.1, null, null);
        var wider = await CreateSut().ChallengeAsync("v1", 0.3, null, null);

        Assert.False(same.Changed);
        Assert.True(wider.Changed);
        Assert.Equal(0.3, wider.Challenger!.Share);
        Assert.Equal(Now, wider.Challenger.StartedAt);
    }

    [Fact]
    public async Task StopChallenge_Running_RemovesThePointerAndASecondStopChangesNothing()
    {
        await PublishTwoVersionsWithV2LiveAsync();
        await CreateSut().ChallengeAsync("v1", 0.1, null, null);

        var stopped = await CreateSut().StopChallengeAsync();
        var again = await CreateSut().StopChallengeAsync();

        Assert.True(stopped.Changed);
        Assert.Equal("v1", stopped.Challenger!.Version);
        Assert.False(again.Changed);
        Assert.Null((await ChallengerPointer.ReadAsync(_store)).Pointer);
        Assert.Null((await CreateSut().GetStatusAsync()).Challenger);
    }

    [Fact]
    public async Task Cleanup_ChallengerOlderThanTheKeptVersions_KeepsTheChallengerVersion()
    {
        foreach (var (version, day) in new[] { ("v1", -3), ("v2", -2), ("v3", 0) })
        {
            await PublishAsync(version);
            await ModelActivation.ActivateAsync(_store, version, Now.AddDays(day));
        }

        await CreateSut().ChallengeAsync("v1", 0.1, null, null);
        var activities = new RetrainActivities(_store, new EmbeddedItemIndexPublisher(_store), new TwoTowerOptions(), new EventTypeOptions(), _time);

        await activities.Cleanup(new CleanupInput(KeepVersions: 1, GraceSeconds: 0));

        Assert.NotNull(await ModelPackage.ReadManifestAsync(_store, "v1"));
        Assert.Null(await ModelPackage.ReadManifestAsync(_store, "v2"));
    }

    private ModelAdministration CreateSut() => new(_store, new EmbeddedModelIndexVerifier(_store), _time);

    private async Task PublishTwoVersionsWithV2LiveAsync()
    {
        await PublishAsync("v1");
        await PublishAsync("v2");
        await ModelActivation.ActivateAsync(_store, "v1", Now.AddDays(-10));
        await ModelActivation.ActivateAsync(_store, "v2", Now.AddDays(-5));
    }

    private Task PublishAsync(string version) => TestModels.PublishSmallAsync(_store, version);
}
