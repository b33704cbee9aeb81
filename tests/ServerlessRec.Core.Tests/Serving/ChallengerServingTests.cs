using Microsoft.Extensions.Time.Testing;
using ServerlessRec.Pipeline;
using ServerlessRec.Retrieval;
using ServerlessRec.Serving;
using ServerlessRec.Storage;

namespace ServerlessRec.Core.Tests.Serving;

/// <summary>
/// Champion and challenger on one instance: the provider loads both versions, and each user's keyed bucket picks the arm,
/// the same on every request; about the share of the users get the challenger; similar items stay with the champion.
/// </summary>
public sealed class ChallengerServingTests : IDisposable
{
    private static readonly DateTimeOffset Now = TestDatasets.Start.AddDays(40);
    private readonly string _root = Path.Combine(Path.GetTempPath(), "srec-challenger-serving-" + Guid.NewGuid().ToString("N"));
    private readonly LocalFolderBlobStore _store;
    private readonly FakeTimeProvider _time = new(Now);

    public ChallengerServingTests() => _store = new LocalFolderBlobStore(new StorageOptions { LocalRoot = _root });

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    [Fact]
    public void Bucket_TwoThousandUsers_AboutTheShareFallBelowItAndAUserKeepsItsBucket()
    {
        var hasher = new UserIdHasher(Enumerable.Range(1, UserIdHasher.KeyLength).Select(i => (byte)i).ToArray());
        var other = new UserIdHasher(new byte[UserIdHasher.KeyLength]);

        var buckets = Enumerable.Range(0, 2000).Select(u => hasher.Bucket($"user-{u}")).ToList();

        Assert.All(buckets, b => Assert.InRange(b, 0.0, 0.999999999));
        // 2,000 draws at p = 0.1: σ ≈ 0.0067, so ±0.03 is more than four σ.
        Assert.InRange(buckets.Count(b => b < 0.1) / 2000.0, 0.07, 0.13);
        Assert.InRange(buckets.Count(b => b < 0.5) / 2000.0, 0.46, 0.54);
        Assert.Equal(buckets[7], hasher.Bucket("user-7"));
        Assert.NotEqual(hasher.Bucket("user-7"), other.Bucket("user-7"));
    }

    [Fact]
    public async Task Recommend_ChallengerRunning_EachUserGetsTheArmOfItsBucketFromThatVersionEveryTime()
    {
        await PublishAsync("v1");
        await PublishAsync("v2");
        await ModelActivation.ActivateAsync(_store, "v2", Now.AddDays(-1));
        await new ModelAdministration(_store, new EmbeddedModelIndexVerifier(_store), _time).ChallengeAsync("v1", 0.3, "test", null);
        var histories = new UserHistoryStore(_store);
        var hasher = await histories.Hashers.GetAsync();
        using var provider = new LiveModelProvider(_store, _time);
        var recommender = new RecommenderService(provider, histories, _time);

        var arms = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var u = 0; u < 200; u++)
        {
            var userId = $"shopper-{u}";
            var response = await recommender.RecommendAsync(new RecommendationRequest { UserId = userId, K = 3 });
            var expected = hasher.Bucket(userId) < 0.3 ? RecommendationArms.Challenger : RecommendationArms.Champion;
            Assert.Equal(expected, response.Arm);
            Assert.Equal(expected == RecommendationArms.Challenger ? "v1" : "v2", response.ModelVersion);
            arms[response.Arm] = arms.GetValueOrDefault(response.Arm) + 1;
        }

        var again = await recommender.RecommendAsync(new RecommendationRequest { UserId = "shopper-5", K = 3 });
        Assert.Equal(hasher.Bucket("shopper-5") < 0.3 ? RecommendationArms.Challenger : RecommendationArms.Champion, again.Arm);
        Assert.InRange(arms[RecommendationArms.Challenger], 35, 85);
        Assert.InRange(arms[RecommendationArms.Champion], 115, 165);
        var similar = await recommender.SimilarAsync("i1", 3);
        Assert.Equal(RecommendationArms.Champion, similar.Arm);
        Assert.Equal("v2", similar.ModelVersion);
    }

    [Fact]
    public async Task Recommend_ChallengerStopped_EveryUserGetsTheChampionAfterTheRefresh()
    {
        await PublishAsync("v1");
        await PublishAsync("v2");
        await ModelActivation.ActivateAsync(_store, "v2", Now.AddDays(-1));
        var administration = new ModelAdministration(_store, new EmbeddedModelIndexVerifier(_store), _time);
        await administration.ChallengeAsync("v1", 0.5, "test", null);
        using var provider = new LiveModelProvider(_store, _time);
        var recommender = new RecommenderService(provider, new UserHistoryStore(_store), _time);
        var before = new List<string>();
        for (var u = 0; u < 40; u++)
        {
            before.Add((await recommender.RecommendAsync(new RecommendationRequest { UserId = $"u{u}", K = 3 })).Arm);
        }

        await administration.StopChallengeAsync();
        _time.Advance(provider.RefreshInterval + TimeSpan.FromSeconds(1));

        Assert.Contains(RecommendationArms.Challenger, before);
        for (var u = 0; u < 40; u++)
        {
            var response = await recommender.RecommendAsync(new RecommendationRequest { UserId = $"u{u}", K = 3 });
            Assert.Equal(RecommendationArms.Champion, response.Arm);
            Assert.Equal("v2", response.ModelVersion);
        }
    }

    private Task PublishAsync(string version) => TestModels.PublishSmallAsync(_store, version);
}
