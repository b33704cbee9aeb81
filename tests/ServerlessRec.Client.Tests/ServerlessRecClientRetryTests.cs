using System.Net;

namespace ServerlessRec.Client.Tests;

/// <summary>
/// The client's retries against the real <c>serve</c> host with planned failures in front of it: an event post whose
/// answer is lost after the server stored it is repeated with the same <c>Idempotency-Key</c> and stored once;
/// <c>Retry-After</c> is honoured; requests whose repetition is not safe or not useful are not repeated.
/// </summary>
public sealed class ServerlessRecClientRetryTests : IAsyncLifetime
{
    private readonly ServeHost _host = new();
    private IServerlessRecClient _client = null!;

    public async Task InitializeAsync()
    {
        await _host.InitializeAsync();
        _client = _host.CreateClient();
    }

    public Task DisposeAsync() => _host.DisposeAsync();

    [Theory]
    [InlineData(503, null, true)]
    [InlineData(409, null, true)]
    [InlineData(429, 1, null)]
    [InlineData(500, null, null)]
    [InlineData(FaultPlan.DropConnection, null, null)]
    public async Task PostEventsAsync_AnswerLostAfterTheServerStoredIt_RetriesWithTheSameKeyAndStoresOnce(int status, int? retryAfter, bool? eventsLogged)
    {
        var user = NewUser();
        _host.Faults.Add("POST", "/api/events", status, afterHandler: true, retryAfterSeconds: retryAfter, eventsLogged: eventsLogged);

        // No timestamp: the server stamps the events with the time it first received the post, so only the key makes
        // the second attempt the same post rather than new events.
        var result = await _client.PostEventsAsync([new UserEvent { UserId = user, ItemId = "i3", Type = "view" }]);

        var attempts = _host.AttemptsAt("POST", "/api/events");
        Assert.Equal(2, attempts.Count);
        Assert.Equal(attempts[0].IdempotencyKey, attempts[1].IdempotencyKey);
        Assert.Equal(result.IdempotencyKey, attempts[0].IdempotencyKey);
        Assert.True(result.Replayed);
        Assert.Equal(1, result.Accepted);
        Assert.Equal(1, await _host.LoggedEventsAsync(user));
        Assert.Single((await _client.ExportUserAsync(user)).Events);
    }

    [Fact]
    public async Task PostEventsAsync_RetriesSpent_ThrowsWithTheKeyAndARepostWithItStoresOnce()
    {
        var user = NewUser();
        _host.Faults.Add("POST", "/api/events", 503, afterHandler: true, eventsLogged: true);
        for (var i = 0; i < ServerlessRecClientOptions.DefaultMaxRetryAttempts; i++)
        {
            _host.Faults.Add("POST", "/api/events", 503, eventsLogged: true);
        }

        UserEvent[] events = [new UserEvent { UserId = user, ItemId = "i4", Type = "click" }];
        var error = await Assert.ThrowsAsync<ServerlessRecUnavailableException>(() => _client.PostEventsAsync(events));
        var repost = await _client.PostEventsAsync(events, error.Problem!.IdempotencyKey);

        // The call's first attempt and its retries, then the repost.
        Assert.Equal(1 + ServerlessRecClientOptions.DefaultMaxRetryAttempts + 1, _host.AttemptsAt("POST", "/api/events").Count);
        Assert.Single(_host.AttemptsAt("POST", "/api/events").Select(a => a.IdempotencyKey).Distinct());
        Assert.True(error.Problem.EventsLogged);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, error.Status);
        Assert.True(repost.Replayed);
        Assert.Equal(1, await _host.LoggedEventsAsync(user));
    }

    [Fact]
    public async Task PostEventsAsync_TwoLogicalPosts_SendTwoKeys()
    {
        var user = NewUser();
        UserEvent[] events = [new UserEvent { UserId = user, ItemId = "i5", Type = "view", Timestamp = DateTimeOffset.UtcNow.AddMinutes(-5) }];

        var first = await _client.PostEventsAsync(events);
        var second = await _client.PostEventsAsync(events);

        Assert.NotEqual(first.IdempotencyKey, second.IdempotencyKey);
        Assert.False(second.Replayed);
    }

    [Fact]
    public async Task RecommendAsync_429WithRetryAfter_WaitsThatLongThenSucceeds()
    {
        _host.Faults.Add("POST", "/api/recommendations", 429, retryAfterSeconds: 1);

        var response = await _client.RecommendAsync(new RecommendationRequest { UserId = NewUser(), K = 3 });

        var attempts = _host.AttemptsAt("POST", "/api/recommendations");
        Assert.Equal(2, attempts.Count);
        // The configured delay is 20 ms: only the header explains a wait of about a second.
        Assert.InRange((attempts[1].At - attempts[0].At).TotalMilliseconds, 900, 5000);
        Assert.Equal(3, response.Items.Count);
    }

    [Fact]
    public async Task PutItemsAsync_500_IsNotRetried()
    {
        _host.Faults.Add("PUT", "/api/items", 500);

        var error = await Assert.ThrowsAsync<ServerlessRecException>(() => _client.PutItemsAsync([new CatalogItem { ItemId = "i7" }]));

        Assert.Equal(HttpStatusCode.InternalServerError, error.Status);
        Assert.Single(_host.AttemptsAt("PUT", "/api/items"));
    }

    [Fact]
    public async Task StartRetrainAsync_503_IsNotRetried()
    {
        _host.Faults.Add("POST", "/api/retrain", 503);

        var error = await Assert.ThrowsAsync<ServerlessRecUnavailableException>(() => _client.StartRetrainAsync());

        Assert.Single(_host.AttemptsAt("POST", "/api/retrain"));
        Assert.Equal("a planned 503", error.Detail);
    }

    [Fact]
    public async Task ActivateModelAsync_409_IsNotRetried()
    {
        _host.Faults.Add("POST", "/api/models/v1/activate", 409);

        await Assert.ThrowsAsync<ServerlessRecConflictException>(() => _client.ActivateModelAsync("v1"));

        Assert.Single(_host.AttemptsAt("POST", "/api/models/v1/activate"));
    }

    [Fact]
    public async Task GetHealthAsync_503_IsNotRetriedButA502Is()
    {
        _host.Faults.Add("GET", "/api/health", 503);
        await Assert.ThrowsAsync<ServerlessRecUnavailableException>(() => _client.GetHealthAsync());
        Assert.Single(_host.AttemptsAt("GET", "/api/health"));

        _host.Faults.Add("GET", "/api/health", 502);
        var health = await _client.GetHealthAsync();

        Assert.Equal("ok", health.Status);
        Assert.Equal(3, _host.AttemptsAt("GET", "/api/health").Count);
    }

    [Fact]
    public async Task GetStatusAsync_RetriesOff_FirstFailureIsThrown()
    {
        var client = _host.CreateClient(options => options.MaxRetryAttempts = 0);
        _host.Faults.Add("GET", "/api/status", 503);

        await Assert.ThrowsAsync<ServerlessRecUnavailableException>(() => client.GetStatusAsync());

        Assert.Single(_host.AttemptsAt("GET", "/api/status"));
    }

    private static string NewUser() => "retry-" + Guid.NewGuid().ToString("N")[..10];
}
