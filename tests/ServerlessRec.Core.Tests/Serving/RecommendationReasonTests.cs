using Microsoft.Extensions.Time.Testing;
using ServerlessRec.Serving;

namespace ServerlessRec.Core.Tests.Serving;

/// <summary>With <c>explain</c> on, every recommended item says why it is there: its history items, or a kind.</summary>
public sealed class RecommendationReasonTests(ServingFixture fixture) : IClassFixture<ServingFixture>
{
    private (RecommenderService Service, UserHistoryStore Histories) CreateSut(ServingOptions? options = null)
    {
        var time = new FakeTimeProvider(TestDatasets.Start.AddDays(31));
        var histories = new UserHistoryStore(fixture.Store);
        return (new RecommenderService(new LiveModelProvider(fixture.Store, time), histories, time, options: options), histories);
    }

    private static HistoryEvent Event(string item, int minute, string type) =>
        new() { ItemId = item, Type = type, Timestamp = TestDatasets.Start.AddDays(30).AddMinutes(minute) };

    [Fact]
    public async Task Recommend_OnlyEventIsOneLike_EveryItemIsExplainedByIt()
    {
        var (sut, histories) = CreateSut();
        await histories.AppendAsync("one-like", [Event("i7", 0, "like")]);

        var response = await sut.RecommendAsync(new RecommendationRequest { UserId = "one-like", K = 10, Explain = true });

        // The tower read one item: alone it gives the user's own vector, so it explains every item it produced.
        Assert.Equal(10, response.Items.Count);
        Assert.All(response.Items, item =>
        {
            Assert.Equal(RecommendationReason.History, item.Reason);
            Assert.Equal(["i7"], item.Because);
        });
    }

    [Fact]
    public async Task Recommend_ExplainWithNewItemAndExplorationSlots_SaysWhichSlotEachItemTook()
    {
        // Every item counts as new (seen fewer than 10,000 times): one slot in ten goes to a new item.
        var (sut, histories) = CreateSut(new ServingOptions { NewItemMaxInteractions = 10_000 });
        await histories.AppendAsync("explorer", [Event("i1", 0, "view"), Event("i22", 1, "click"), Event("i3", 2, "view"), Event("i25", 3, "like")]);

        var response = await sut.RecommendAsync(new RecommendationRequest { UserId = "explorer", K = 10, Explain = true, Exploration = 0.3 });

        Assert.Equal(10, response.Items.Count);
        Assert.Single(response.Items, i => i.Reason == RecommendationReason.NewItem);
        Assert.Equal(3, response.Items.Count(i => i.Reason == RecommendationReason.Exploration));
        Assert.All(response.Items, item =>
        {
            Assert.NotNull(item.Because);
            Assert.Equal(item.Exploration, item.Reason is RecommendationReason.NewItem or RecommendationReason.Exploration);
            if (!item.Exploration)
            {
                // A ranked item names its history items, or says the session as a whole ranked it.
                Assert.Equal(item.Because!.Count > 0 ? RecommendationReason.History : RecommendationReason.Session, item.Reason);
            }
        });
    }

    [Fact]
    public async Task Recommend_ExplainForUserWithoutHistory_SaysPopular()
    {
        var (sut, _) = CreateSut();

        var response = await sut.RecommendAsync(new RecommendationRequest { UserId = "nobody-yet", K = 5, Explain = true });

        Assert.Equal(RecommendationSource.Popular, response.Source);
        Assert.All(response.Items, item => Assert.Equal(RecommendationReason.Popular, item.Reason));
    }

    [Fact]
    public async Task Recommend_WithoutExplain_WritesNeitherBecauseNorReason()
    {
        var (sut, histories) = CreateSut();
        await histories.AppendAsync("quiet", [Event("i2", 0, "view")]);

        var response = await sut.RecommendAsync(new RecommendationRequest { UserId = "quiet", K = 5 });
        var json = System.Text.Json.JsonSerializer.Serialize(response);

        Assert.All(response.Items, item => Assert.Null(item.Reason));
        Assert.DoesNotContain("\"reason\"", json, StringComparison.Ordinal);
        Assert.DoesNotContain("\"because\"", json, StringComparison.Ordinal);
    }
}
