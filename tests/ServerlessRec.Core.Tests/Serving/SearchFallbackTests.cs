using System.Diagnostics;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using ServerlessRec.Core.Tests.Http;
using ServerlessRec.Retrieval;
using ServerlessRec.Serving;

namespace ServerlessRec.Core.Tests.Serving;

/// <summary>A remote index (Azure AI Search) that is down or slow never hangs a request: the instance's own vectors answer.</summary>
public sealed class SearchFallbackTests(ServingFixture fixture) : IClassFixture<ServingFixture>
{
    private static readonly ServingOptions FastBudget = new() { SearchTimeout = TimeSpan.FromMilliseconds(200) };

    [Fact]
    public async Task Recommend_RemoteIndexNeverAnswers_AnswersFromOwnVectorsWithinTheBudget()
    {
        var (sut, histories) = CreateSut(new RemoteResolver(new HangingIndex()));
        await histories.AppendAsync("fallback-user", History());
        var expected = await CreateSut(EmbeddedIndexResolver.Instance).Service.RecommendAsync(new RecommendationRequest { UserId = "fallback-user", K = 5 });

        var clock = Stopwatch.StartNew();
        var response = await sut.RecommendAsync(new RecommendationRequest { UserId = "fallback-user", K = 5 });

        // Without the budget the request waits for the search client's retries (about 29 s against a dead service).
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"{clock.Elapsed}");
        Assert.Equal(RecommendationSource.Fallback, response.Source);
        Assert.Equal(expected.Items.Select(i => i.ItemId), response.Items.Select(i => i.ItemId));
        var (_, reasons) = await sut.HealthAsync();
        Assert.Contains("no answer within 200 ms", Assert.Single(reasons), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Recommend_RemoteIndexThrows_FallsBackAndCountsIt()
    {
        var (sut, histories) = CreateSut(new RemoteResolver(new FailingIndex()));
        await histories.AppendAsync("fallback-user-2", History());

        var response = await sut.RecommendAsync(new RecommendationRequest { UserId = "fallback-user-2", K = 5, Exploration = 0.2 });

        Assert.Equal(RecommendationSource.Fallback, response.Source);
        Assert.Equal(5, response.Items.Count);
        Assert.Equal(1, sut.Health.SearchFailures);
    }

    [Fact]
    public async Task Recommend_RemoteIndexCannotBeOpened_FallsBack()
    {
        var (sut, histories) = CreateSut(new RemoteResolver(index: null));
        await histories.AppendAsync("fallback-user-3", History());

        var response = await sut.RecommendAsync(new RecommendationRequest { UserId = "fallback-user-3", K = 5 });

        Assert.Equal(RecommendationSource.Fallback, response.Source);
        Assert.Contains("could not be opened", Assert.Single(sut.Health.DegradedReasons()), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Recommend_RemoteIndexHealthy_SourceIsHistoryAndHealthOk()
    {
        var remote = new RecordingIndex(fixture);
        var (sut, histories) = CreateSut(new RemoteResolver(remote));
        await histories.AppendAsync("remote-user", History());

        var response = await sut.RecommendAsync(new RecommendationRequest { UserId = "remote-user", K = 5 });

        Assert.Equal(RecommendationSource.History, response.Source);
        Assert.Equal(1, remote.Calls);
        Assert.Empty((await sut.HealthAsync()).DegradedReasons);
    }

    [Fact]
    public async Task Similar_RemoteIndexFails_FallsBack()
    {
        var (sut, _) = CreateSut(new RemoteResolver(new FailingIndex()));

        var response = await sut.SimilarAsync("i1", 5);

        Assert.Equal(RecommendationSource.Fallback, response.Source);
        Assert.Equal(5, response.Items.Count);
        Assert.DoesNotContain(response.Items, i => i.ItemId == "i1");
    }

    [Fact]
    public async Task Health_RemoteIndexFailed_AnswersDegradedWithTheReason()
    {
        using var harness = new EndpointHarness(fixture.Store, configure: services =>
        {
            services.AddSingleton<IServingIndexResolver>(new RemoteResolver(new FailingIndex()));
            services.AddSingleton(FastBudget);
        });
        var healthyFirst = await harness.SendAsync("Health");
        await harness.SendAsync("PostEvents", """{"events":[{"userId":"health-user","itemId":"i3","type":"like"}]}""");

        var recommended = await harness.SendAsync("Recommendations", """{"userId":"health-user","k":3}""");
        var health = await harness.SendAsync("Health");

        Assert.Equal("ok", JsonDocument.Parse(healthyFirst.Body).RootElement.GetProperty("status").GetString());
        Assert.Equal(200, recommended.Status);
        Assert.Equal("fallback", JsonDocument.Parse(recommended.Body).RootElement.GetProperty("source").GetString());
        Assert.Equal(200, health.Status);
        var body = JsonDocument.Parse(health.Body).RootElement;
        Assert.Equal("degraded", body.GetProperty("status").GetString());
        Assert.Contains("InvalidOperationException", body.GetProperty("reasons")[0].GetString(), StringComparison.Ordinal);
        Assert.Contains(harness.Logs.Logs, e => e.EventId.Id == 2201);
    }

    [Fact]
    public void DegradedReasons_SearchRecoveredAndWindowPassed_IsEmptyAgain()
    {
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-12-01T10:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        var health = new ServingHealth(time, new ServingOptions { DegradedFor = TimeSpan.FromMinutes(1) });

        health.SearchFailed("v1", "failed: X", "own vectors");
        var afterFailure = health.DegradedReasons();
        time.Advance(TimeSpan.FromSeconds(10));
        health.SearchSucceeded();
        var recoveredInWindow = health.DegradedReasons();
        time.Advance(TimeSpan.FromMinutes(1));
        var afterWindow = health.DegradedReasons();

        Assert.Single(afterFailure);
        Assert.Single(recoveredInWindow);
        Assert.Empty(afterWindow);
    }

    [Fact]
    public void DegradedReasons_LastSearchFailedLongAgoAndNothingSince_StaysDegraded()
    {
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-12-01T10:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        var health = new ServingHealth(time);

        health.SearchFailed("v1", "failed: X", "own vectors");
        time.Advance(TimeSpan.FromHours(1));

        Assert.Single(health.DegradedReasons());
    }

    private static List<HistoryEvent> History() =>
    [
        new() { ItemId = "i1", Type = "like", Timestamp = TestDatasets.Start.AddDays(30) },
        new() { ItemId = "i2", Type = "view", Timestamp = TestDatasets.Start.AddDays(30).AddMinutes(1) },
    ];

    private (RecommenderService Service, UserHistoryStore Histories) CreateSut(IServingIndexResolver resolver)
    {
        var histories = new UserHistoryStore(fixture.Store);
        return (new RecommenderService(new LiveModelProvider(fixture.Store, TimeProvider.System), histories, TimeProvider.System, resolver, FastBudget), histories);
    }

    /// <summary>Stands in for the Azure AI Search resolver (anything but the embedded one gets the budget).</summary>
    private sealed class RemoteResolver(IItemIndex? index) : IServingIndexResolver
    {
        public ValueTask<IItemIndex> ResolveAsync(ServingModel model, CancellationToken cancellationToken = default) =>
            index is null ? ValueTask.FromException<IItemIndex>(new HttpRequestException("connection refused")) : ValueTask.FromResult(index);
    }

    private sealed class HangingIndex : IItemIndex
    {
        public string Version => "v1";

        public async ValueTask<IReadOnlyList<ScoredItem>> SearchAsync(ReadOnlyMemory<float> query, int k, ItemFilter filter, CancellationToken cancellationToken = default)
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
            return [];
        }
    }

    private sealed class FailingIndex : IItemIndex
    {
        public string Version => "v1";

        public ValueTask<IReadOnlyList<ScoredItem>> SearchAsync(ReadOnlyMemory<float> query, int k, ItemFilter filter, CancellationToken cancellationToken = default) =>
            ValueTask.FromException<IReadOnlyList<ScoredItem>>(new InvalidOperationException("503 from the search service"));
    }

    private sealed class RecordingIndex(ServingFixture fixture) : IItemIndex
    {
        public int Calls { get; private set; }

        public string Version => "v1";

        public async ValueTask<IReadOnlyList<ScoredItem>> SearchAsync(ReadOnlyMemory<float> query, int k, ItemFilter filter, CancellationToken cancellationToken = default)
        {
            Calls++;
            using var model = await ServingModel.LoadAsync(fixture.Store, "v1", cancellationToken);
            return await model.SearchIndex!.SearchAsync(query, k, filter, cancellationToken);
        }
    }
}
