using System.Text;
using System.Text.Json;
using Azure.Storage.Blobs;
using ServerlessRec.Azure.Storage;
using ServerlessRec.Serving;
using ServerlessRec.Storage;

namespace ServerlessRec.Azure.Tests.Storage;

/// <summary>User histories on Blob Storage (Azurite): every id the contract accepts fits, and pre-upgrade blobs move.</summary>
[Collection(AzuriteTestGroup.Name)]
public sealed class UserHistoryOnBlobStorageTests(AzuriteFixture azurite) : IAsyncLifetime
{
    private readonly IBlobStore _store = BlobStoreFactory.Create(azurite.CreateStorageOptions());
    private readonly BlobServiceClient _serviceClient = azurite.CreateServiceClient();
    private readonly string _container = "users-" + Guid.NewGuid().ToString("N")[..12];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _serviceClient.GetBlobContainerClient(_container).DeleteIfExistsAsync();

    public static TheoryData<string> LongIds() => [new string('ü', 43), new string('%', 86), new string('é', 128), new string('日', 128)];

    [Theory]
    [MemberData(nameof(LongIds))]
    public async Task AppendReadForget_IdWhoseEscapedFormExceedsNameLimits_Works(string userId)
    {
        var histories = new UserHistoryStore(_store, container: _container);
        var at = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

        await histories.AppendAsync(userId, [new HistoryEvent { ItemId = "i1", Type = "view", Timestamp = at }]);
        var read = await histories.ReadAsync(userId);
        var names = await histories.ExistingBlobPathsAsync(userId);
        var forgotten = await new ForgottenUsers(_store, histories, TimeProvider.System, _container).ForgetAsync(userId);

        Assert.Equal("i1", Assert.Single(read.Events).ItemId);
        Assert.Equal(userId, read.UserId);
        Assert.Matches($"^{_container}/[0-9a-f]{{2}}/[0-9a-f]{{64}}\\.json$", Assert.Single(names));
        Assert.True(forgotten);
        Assert.Empty((await histories.ReadAsync(userId)).Events);
    }

    [Fact]
    public async Task AppendAsync_LegacyBlobLongerThanALocalFileName_IsMovedUnderTheKeyedName()
    {
        // 43 × "ü" escaped is 258 characters: too long for a local file, fine for Blob Storage before the upgrade.
        var userId = new string('ü', 43);
        var legacy = UserHistoryStore.LegacyBlobName(userId);
        await _store.WriteAsync(_container, legacy, Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new
        {
            userId,
            events = new[] { new { itemId = "old", type = "view", timestamp = new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero) } },
        })));
        var histories = new UserHistoryStore(_store, container: _container);

        var appended = await histories.AppendAsync(userId, [new HistoryEvent { ItemId = "new", Type = "view", Timestamp = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero) }]);

        Assert.Equal(["old", "new"], appended.Events.Select(e => e.ItemId));
        Assert.Null(await _store.ReadAsync(_container, legacy));
        var hasher = await histories.Hashers.GetAsync();
        Assert.NotNull(await _store.ReadAsync(_container, UserHistoryStore.BlobName(hasher, userId)));
    }
}
