using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using ServerlessRec.Core.Tests.Serving;
using ServerlessRec.Events;
using ServerlessRec.Serving;
using ServerlessRec.Storage;

namespace ServerlessRec.Core.Tests.Http;

/// <summary>Attribution at the HTTP edge: ids on responses, sampled server impressions, <c>recommendationId</c>/<c>position</c> on posted events.</summary>
public sealed class AttributionTests(ServingFixture fixture) : IClassFixture<ServingFixture>
{
    private EndpointHarness CreateSut(double sampleRate) =>
        new(fixture.Store, configure: services => services.AddSingleton(new ServingOptions { ImpressionSampleRate = sampleRate }));

    private static async Task<JsonElement> RecommendAsync(EndpointHarness harness, string userId)
    {
        var answer = await harness.SendAsync("Recommendations", $$"""{"userId":"{{userId}}","k":5}""");
        Assert.Equal(200, answer.Status);
        return JsonDocument.Parse(answer.Body).RootElement;
    }

    private async Task<List<ImpressionRecord>> ImpressionsAsync()
    {
        var records = new List<ImpressionRecord>();
        await foreach (var record in ImpressionLog.ReadAsync(fixture.Store, DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1), line => Assert.Fail("unreadable " + line)))
        {
            records.Add(record);
        }

        return records;
    }

    private async Task<string> EventLogTextAsync()
    {
        var text = new StringBuilder();
        await foreach (var blob in fixture.Store.ListAsync(ContainerNames.Events))
        {
            text.Append(Encoding.UTF8.GetString((await fixture.Store.ReadAsync(ContainerNames.Events, blob.Name))!.Content.Span));
        }

        return text.ToString();
    }

    [Fact]
    public async Task Recommend_EveryResponse_CarriesAUniqueRecommendationIdTheArmAndTheVersion()
    {
        using var harness = CreateSut(sampleRate: 0);

        var first = await RecommendAsync(harness, "attr-ids");
        var second = await RecommendAsync(harness, "attr-ids");
        var similar = JsonDocument.Parse((await harness.SendAsync("SimilarItemsByQuery", query: "?itemId=i1&k=3")).Body).RootElement;

        string[] ids = [.. new[] { first, second, similar }.Select(r => r.GetProperty("recommendationId").GetString()!)];
        Assert.All(ids, id => Assert.True(RecommendationIds.IsValid(id), id));
        Assert.Equal(3, ids.Distinct(StringComparer.Ordinal).Count());
        Assert.Equal("champion", first.GetProperty("arm").GetString());
        Assert.Equal("v1", first.GetProperty("modelVersion").GetString());
    }

    [Fact]
    public async Task Recommend_SampleRateOne_LogsEveryResponseWithItsItemsInOrderAndAHashedUser()
    {
        using var harness = CreateSut(sampleRate: 1);

        var responses = new List<JsonElement>();
        for (var i = 0; i < 3; i++)
        {
            responses.Add(await RecommendAsync(harness, "attr-sampled-all"));
        }

        var records = (await ImpressionsAsync()).ToDictionary(r => r.RecommendationId, StringComparer.Ordinal);
        foreach (var response in responses)
        {
            var record = records[response.GetProperty("recommendationId").GetString()!];
            Assert.Equal(response.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("itemId").GetString()), record.ItemIds);
            Assert.Equal(("v1", "champion", "popular"), (record.ModelVersion, record.Arm, record.Source));
            Assert.Equal(64, record.UserHash!.Length);
        }

        await foreach (var blob in fixture.Store.ListAsync(ContainerNames.Impressions))
        {
            Assert.DoesNotContain("attr-sampled-all", Encoding.UTF8.GetString((await fixture.Store.ReadAsync(ContainerNames.Impressions, blob.Name))!.Content.Span), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Recommend_SampleRateZero_LogsNoImpression()
    {
        using var harness = CreateSut(sampleRate: 0);

        var ids = new List<string>();
        for (var i = 0; i < 20; i++)
        {
            ids.Add((await RecommendAsync(harness, "attr-sampled-none")).GetProperty("recommendationId").GetString()!);
        }

        var logged = (await ImpressionsAsync()).Select(r => r.RecommendationId).ToHashSet(StringComparer.Ordinal);
        Assert.DoesNotContain(ids, logged.Contains);
    }

    [Fact]
    public async Task PostEvents_RecommendationIdAndPosition_AreLoggedAndImpressionsStayOutOfTheHistory()
    {
        using var harness = CreateSut(sampleRate: 0);
        var id = RecommendationIds.New(DateTimeOffset.UtcNow);

        var answer = await harness.SendAsync("PostEvents", $$"""
            {"events":[
              {"userId":"attr-poster","itemId":"i7","type":"impression","recommendationId":"{{id}}","position":3},
              {"userId":"attr-poster","itemId":"i7","type":"click","recommendationId":"{{id}}","position":3}]}
            """);

        Assert.Equal(202, answer.Status);
        var log = await EventLogTextAsync();
        Assert.Contains("{\"userId\":\"attr-poster\",\"itemId\":\"i7\",\"type\":\"impression\",", log, StringComparison.Ordinal);
        Assert.Contains($"\"recommendationId\":\"{id}\",\"position\":3}}", log, StringComparison.Ordinal);
        var history = await new UserHistoryStore(fixture.Store).ReadAsync("attr-poster");
        Assert.Equal("click", Assert.Single(history.Events).Type);
    }

    [Theory]
    [InlineData("\"recommendationId\":\"not-an-id\",\"position\":0", "events[0].recommendationId")]
    [InlineData("\"recommendationId\":\"AAAAAAAAAAAAAAAAAAAAA-\",\"position\":-1", "events[0].position")]
    [InlineData("\"recommendationId\":\"AAAAAAAAAAAAAAAAAAAAA-\",\"position\":200", "events[0].position")]
    [InlineData("\"position\":2", "events[0].position")]
    public async Task PostEvents_BadAttribution_Returns400NamingTheFieldAndLogsNothing(string fields, string field)
    {
        using var harness = CreateSut(sampleRate: 0);
        var before = await EventLogTextAsync();

        var answer = await harness.SendAsync("PostEvents", $$"""{"events":[{"userId":"attr-bad","itemId":"i7","type":"click",{{fields}}}]}""");

        Assert.Equal(400, answer.Status);
        Assert.Equal(field, JsonDocument.Parse(answer.Body).RootElement.GetProperty("field").GetString());
        Assert.Equal(before, await EventLogTextAsync());
    }
}
