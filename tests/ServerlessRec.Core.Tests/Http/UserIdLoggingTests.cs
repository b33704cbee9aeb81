using System.Text;
using Microsoft.Extensions.Logging;
using ServerlessRec.Core.Tests.Serving;
using ServerlessRec.Core.Tests.Storage;
using ServerlessRec.Serving;
using ServerlessRec.Storage;

namespace ServerlessRec.Core.Tests.Http;

/// <summary>User ids reach logs above Debug only as <see cref="UserIdHasher.ForLogs"/>, on success and on failure paths.</summary>
public sealed class UserIdLoggingTests(ServingFixture fixture) : IClassFixture<ServingFixture>
{
    [Fact]
    public async Task Handlers_EveryRouteWithAUserIdIncludingFailures_NeverLogTheRawIdAtInformationOrAbove()
    {
        var user = "alice.private+" + Guid.NewGuid().ToString("N") + "@example.com";
        var damaged = "bob.private+" + Guid.NewGuid().ToString("N") + "@example.com";
        using var harness = new EndpointHarness(fixture.Store);

        var responses = new List<EndpointResponse>
        {
            await harness.SendAsync("PostEvents", $$"""{"events":[{"userId":"{{user}}","itemId":"i1","type":"view"},{"userId":"{{user}}","itemId":"i2","type":"teleport"}]}"""),
            await harness.SendAsync("PostEvents", $$"""{"events":[{"userId":"{{user}}","itemId":"i1","type":"view"}]}"""),
            await harness.SendAsync("Recommendations", $$"""{"userId":"{{user}}","k":3}"""),
            await harness.SendAsync("UserVector", routeValues: new Dictionary<string, string> { ["userId"] = user }),
            await harness.SendAsync("ForgetUser", routeValues: new Dictionary<string, string> { ["userId"] = user }),
            await harness.SendAsync("UserVector", routeValues: new Dictionary<string, string> { ["userId"] = user }),
        };
        // A damaged stored history makes the request fail on the server: the error is logged, the id must not be.
        var hasher = await UserIdHasherProvider.LoadOrCreateAsync(fixture.Store);
        await fixture.Store.WriteAsync(ContainerNames.Users, UserHistoryStore.BlobName(hasher, damaged), Encoding.UTF8.GetBytes("{\"events\":[{"));
        var failed = await harness.SendAsync("Recommendations", $$"""{"userId":"{{damaged}}","k":3}""");

        Assert.Equal([400, 202, 200, 200, 200, 404], responses.Select(r => r.Status));
        Assert.Equal(500, failed.Status);
        ServingEndpointsBadInputTests.AssertNoInternals(failed.Body);
        var logged = harness.Logs.Logs.Where(l => l.Level >= LogLevel.Information).ToList();
        var error = Assert.Single(logged, l => l.Level >= LogLevel.Error);
        Assert.Contains(hasher.ForLogs(damaged), error.Text, StringComparison.Ordinal);
        Assert.All(logged, l =>
        {
            Assert.DoesNotContain(user, l.Text, StringComparison.Ordinal);
            Assert.DoesNotContain(damaged, l.Text, StringComparison.Ordinal);
            Assert.DoesNotContain(Uri.EscapeDataString(damaged), l.Text, StringComparison.Ordinal);
        });
    }

    [Theory]
    [InlineData("read")]
    [InlineData("write")]
    public async Task Handlers_StorageErrorQuotingTheHistoryPath_LogNeitherTheRawIdNorThePath(string operation)
    {
        // A local folder or Blob Storage error quotes the blob's path or URI, and a history blob's name holds the user id.
        var user = "carol.private+" + Guid.NewGuid().ToString("N") + "@example.com";
        var store = new FaultInjectingBlobStore(fixture.Store);
        store.Fail(
            "history I/O error",
            c => c.Container == ContainerNames.Users && c.Operation == (operation == "read" ? BlobOperation.Read : BlobOperation.Write),
            exception: c => new IOException($"Access to the path '/data/{c.Container}/{c.Name}' is denied."));
        using var harness = new EndpointHarness(store);

        var response = await harness.SendAsync("PostEvents", $$"""{"events":[{"userId":"{{user}}","itemId":"i1","type":"view"}]}""");

        // The log append came first, so the answer says the events are logged (503 with eventsLogged), not a bare 500.
        Assert.Equal(503, response.Status);
        var error = Assert.Single(harness.Logs.Logs, l => l.Level >= LogLevel.Error);
        var logged = error.Message + error.Exception;
        var hasher = await UserIdHasherProvider.LoadOrCreateAsync(fixture.Store);
        Assert.Contains(hasher.ForLogs(user), logged, StringComparison.Ordinal);
        Assert.Contains(nameof(IOException), logged, StringComparison.Ordinal);
        Assert.DoesNotContain(user, logged, StringComparison.Ordinal);
        Assert.DoesNotContain(Uri.EscapeDataString(user), logged, StringComparison.Ordinal);
    }

    [Fact]
    public void ForLogs_IsAShortPrefixOfTheTombstoneHash()
    {
        var hasher = new UserIdHasher(new byte[UserIdHasher.KeyLength]);

        Assert.Equal(UserIdHasher.LogLength, hasher.ForLogs("u42").Length);
        Assert.StartsWith(ForgottenUsers.Prefix + hasher.ForLogs("u42"), ForgottenUsers.TombstoneName(hasher, "u42"), StringComparison.Ordinal);
        Assert.NotEqual(hasher.ForLogs("u42"), hasher.ForLogs("u43"));
    }
}
