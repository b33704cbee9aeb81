using System.Text;
using System.Text.Json;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Testing;
using Microsoft.Extensions.Time.Testing;
using ServerlessRec.Events;
using ServerlessRec.Pipeline;
using ServerlessRec.Retrieval;
using ServerlessRec.Serving;
using ServerlessRec.Storage;
using ServerlessRec.Tests.Durable;
using ServerlessRec.Training;

namespace ServerlessRec.Core.Tests.Pipeline;

/// <summary>
/// <c>Retrain:AutoPromoteChallenger</c> on the in-process Durable Task host, over a hand-built impression and click log:
/// the challenger is promoted only when the rule is on and the comparison says <c>better</c>; the report shows the comparison.
/// </summary>
public sealed class ChallengerAutoPromotionTests : IDisposable
{
    private const int Responses = 20;
    private static readonly DateTimeOffset Now = new(2026, 3, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Served = new(2026, 2, 28, 10, 0, 0, TimeSpan.Zero);
    private readonly string _root = Path.Combine(Path.GetTempPath(), "srec-autopromote-" + Guid.NewGuid().ToString("N"));
    private readonly LocalFolderBlobStore _store;
    private readonly FakeTimeProvider _time = new(Now);

    public ChallengerAutoPromotionTests() => _store = new LocalFolderBlobStore(new StorageOptions { LocalRoot = _root });

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    [Fact]
    public async Task Retrain_AutoPromoteOnAndTheChallengerClearlyWins_PromotesItAndTheReportShowsTheComparison()
    {
        // 200 impressions at 0–9 per arm: the champion gets 4 clicks (2%), the challenger 40 (20%).
        await PublishAndLogAsync(championClicks: 4, challengerClicks: 40);

        var (outcome, record) = await RunAsync(autoPromote: true);

        var challenge = record.OnlineMetrics!.Challenge!;
        Assert.Equal((ChallengerVerdicts.Better, 200L, 40L, 200L, 4L), (challenge.Verdict, challenge.ChallengerImpressions, challenge.ChallengerClicks, challenge.ChampionImpressions, challenge.ChampionClicks));
        var promotion = record.ChallengerPromotion!;
        Assert.True(promotion.Promoted);
        Assert.Equal(("v2", "v1"), (promotion.Version, promotion.PreviousVersion));
        var (live, _) = await ModelPointer.ReadAsync(_store);
        Assert.Equal(("v2", "v1", ModelActivation.PromotionTrigger, outcome.RunId), (live!.Version, live.PreviousVersion, live.Trigger, live.ActivatedBy));
        Assert.Contains("CTR@10 is higher by 0.18", live.Reason, StringComparison.Ordinal);
        Assert.Null((await ChallengerPointer.ReadAsync(_store)).Pointer);
        var promotionRecord = JsonSerializer.Deserialize<RetrainRunRecord>((await _store.ReadAsync(ContainerNames.Runs, promotion.PromotionRunId + ".json"))!.Content.Span)!;
        Assert.Equal((ModelActivation.PromotionTrigger, "v2"), (promotionRecord.Trigger, promotionRecord.Version));
        Assert.Contains("promoteChallenger", record.StepSeconds.Keys);

        var report = Encoding.UTF8.GetString((await _store.ReadAsync(ContainerNames.Runs, $"{RetrainActivities.ReportsFolder}/{outcome.RunId}.html"))!.Content.Span);
        Assert.Contains("<h2>Champion/challenger</h2>", report, StringComparison.Ordinal);
        Assert.Contains("<tr><td>champion</td><td>v1</td><td>200</td><td>4</td><td>2.00", report, StringComparison.Ordinal);
        Assert.Contains("<tr><td>challenger</td><td>v2</td><td>200</td><td>40</td><td>20.00", report, StringComparison.Ordinal);
        Assert.Contains("<td>+18.00 pts</td>", report, StringComparison.Ordinal);
        Assert.Contains("<td>better</td><td>100</td><td>yes</td>", report, StringComparison.Ordinal);
        Assert.Contains("Promoted automatically", report, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Retrain_AutoPromoteOffAndTheChallengerClearlyWins_KeepsTheChampionAndTheChallenge()
    {
        await PublishAndLogAsync(championClicks: 4, challengerClicks: 40);

        var (outcome, record) = await RunAsync(autoPromote: false);

        Assert.Equal(ChallengerVerdicts.Better, record.OnlineMetrics!.Challenge!.Verdict);
        Assert.Null(record.ChallengerPromotion);
        Assert.Equal("v1", (await ModelPointer.ReadAsync(_store)).Pointer!.Version);
        Assert.Equal("v2", (await ChallengerPointer.ReadAsync(_store)).Pointer!.Version);
        var report = Encoding.UTF8.GetString((await _store.ReadAsync(ContainerNames.Runs, $"{RetrainActivities.ReportsFolder}/{outcome.RunId}.html"))!.Content.Span);
        Assert.Contains("Retrain:AutoPromoteChallenger is off", report, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Retrain_AutoPromoteOnAndTheArmsTie_KeepsTheChampionAndTheChallenge()
    {
        await PublishAndLogAsync(championClicks: 10, challengerClicks: 10);

        var (_, record) = await RunAsync(autoPromote: true);

        Assert.Equal(ChallengerVerdicts.Inconclusive, record.OnlineMetrics!.Challenge!.Verdict);
        Assert.Null(record.ChallengerPromotion);
        Assert.DoesNotContain("promoteChallenger", record.StepSeconds.Keys);
        Assert.Equal("v1", (await ModelPointer.ReadAsync(_store)).Pointer!.Version);
        Assert.Equal("v2", (await ChallengerPointer.ReadAsync(_store)).Pointer!.Version);
    }

    private async Task<(RetrainOutcome Outcome, RetrainRunRecord Record)> RunAsync(bool autoPromote)
    {
        var options = new RetrainOptions { AutoPromoteChallenger = autoPromote, ChallengerMinImpressions = 100, FirstRetryInterval = TimeSpan.FromMilliseconds(20) };
        await using var host = await TestDurableHost.StartAsync(tasks => tasks.AddRetrain(() => new RetrainActivities(_store, new EmbeddedItemIndexPublisher(_store), new TwoTowerOptions(), new EventTypeOptions(), _time)));
        var id = await host.Client.ScheduleNewOrchestrationInstanceAsync(RetrainOrchestration.Name, RetrainInput.From("test", options, Now));
        var metadata = await host.Client.WaitForInstanceCompletionAsync(id, getInputsAndOutputs: true);
        Assert.Equal(OrchestrationRuntimeStatus.Completed, metadata.RuntimeStatus);
        var outcome = metadata.ReadOutputAs<RetrainOutcome>()!;

        // No user has three positive events: the run itself trains nothing.
        Assert.Equal(RunOutcome.NoData, outcome.Outcome);
        var record = JsonSerializer.Deserialize<RetrainRunRecord>((await _store.ReadAsync(ContainerNames.Runs, $"{outcome.RunId}.json"))!.Content.Span)!;
        Assert.Null(record.OnlineMetricsError);
        Assert.Null(record.ChallengerPromotionError);
        return (outcome, record);
    }

    // v1 live (the champion), v2 the challenger; each arm served 20 responses of 10 items, clicks spread over them.
    private async Task PublishAndLogAsync(int championClicks, int challengerClicks)
    {
        await TestModels.PublishSmallAsync(_store, "v1");
        await TestModels.PublishSmallAsync(_store, "v2");
        await ModelActivation.ActivateAsync(_store, "v1", Now.AddDays(-3));
        await new ModelAdministration(_store, new EmbeddedModelIndexVerifier(_store), _time).ChallengeAsync("v2", 0.5, "alice", "auto-promotion test");

        var impressions = new StringBuilder();
        var events = new StringBuilder();
        var user = 0;
        foreach (var (version, arm, clicks) in new[] { ("v1", RecommendationArms.Champion, championClicks), ("v2", RecommendationArms.Challenger, challengerClicks) })
        {
            for (var r = 0; r < Responses; r++)
            {
                var at = Served.AddSeconds((r * 2) + (arm == RecommendationArms.Challenger ? 1 : 0));
                var id = RecommendationIds.New(at);
                var record = new ImpressionRecord { RecommendationId = id, ServedAt = at, UserHash = new string('0', 64), ModelVersion = version, Arm = arm, Source = "history", ItemIds = [.. Enumerable.Range(0, 10).Select(i => $"i{i}")] };
                impressions.Append(JsonSerializer.Serialize(record)).Append('\n');

                // Click c goes to response c mod 20 at position c div 20: every click is a distinct (response, position).
                for (var c = r; c < clicks; c += Responses)
                {
                    var position = c / Responses;
                    events.Append($$"""{"userId":"u{{user++}}","itemId":"i{{position}}","type":"click","timestamp":"{{at.AddMinutes(1):yyyy-MM-ddTHH:mm:ssZ}}","recommendationId":"{{id}}","position":{{position}}}""").Append('\n');
                }
            }
        }

        await _store.AppendAsync(ContainerNames.Impressions, "2026/02/28/10/api-test.jsonl", Encoding.UTF8.GetBytes(impressions.ToString()));
        await _store.WriteAsync(ContainerNames.Events, "2026/02/28/10/api-test.jsonl", Encoding.UTF8.GetBytes(events.ToString()));
    }
}
