using Microsoft.Extensions.Time.Testing;
using ServerlessRec.Serving;

namespace ServerlessRec.Core.Tests.Serving;

/// <summary>Serving reads impressions as nothing: they neither make a history nor hide the items shown.</summary>
public sealed class ImpressionHistoryTests(ServingFixture fixture) : IClassFixture<ServingFixture>
{
    [Fact]
    public async Task Recommend_OnlyImpressionEvents_ServesPopularItemsWithoutExcludingThem()
    {
        var time = new FakeTimeProvider(TestDatasets.Start.AddDays(31));
        var sut = new RecommenderService(new LiveModelProvider(fixture.Store, time), new UserHistoryStore(fixture.Store), time);
        var popular = await sut.RecommendAsync(new RecommendationRequest { UserId = "impressed", K = 3 });
        var shown = popular.Items.Select(i => i.ItemId).ToList();

        var response = await sut.RecommendAsync(new RecommendationRequest
        {
            UserId = "impressed",
            K = 3,
            RecentEvents = [.. shown.Select(item => new RequestEvent { ItemId = item, Type = "impression" })],
        });

        Assert.Equal(RecommendationSource.Popular, response.Source);
        Assert.Equal(shown, response.Items.Select(i => i.ItemId));
    }
}
