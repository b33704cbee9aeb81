using Microsoft.Extensions.Time.Testing;
using ServerlessRec.Evaluation;
using ServerlessRec.Events;
using ServerlessRec.Onnx;
using ServerlessRec.Pipeline;
using ServerlessRec.Serving;
using ServerlessRec.Storage;
using ServerlessRec.Training;

namespace ServerlessRec.Core.Tests.Serving;

public sealed class DiversityTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "srec-diversity-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    [Fact]
    public async Task Recommend_DiversityHalf_SpansMoreCategoriesWhileStayingRelevant()
    {
        var store = new LocalFolderBlobStore(new StorageOptions { LocalRoot = _root });
        await new SyntheticLogGenerator(new SyntheticLogOptions { Users = 800, Items = 400, Events = 32_000, Seed = 11 }).WriteToStoreAsync(store);
        var loader = new DatasetLoader(new EventTypeOptions(), TwoTowerOptions.DefaultFeatureBuckets);
        await loader.AddCatalogFromStoreAsync(store);
        await loader.AddEventsFromStoreAsync(store);
        var data = loader.Build();
        var split = LeaveLastOutSplit.Create(data);
        var options = new TwoTowerOptions { Dimensions = 32, HiddenDimensions = 64, Epochs = 3, Threads = 2, SampledNegatives = 128 };
        var model = new TwoTowerTrainer(options).Train(data, split.TrainValidationEnds).Model;
        using var serving = ServingModel.FromPackage(ModelExporter.Export(model, data, options, new EventTypeOptions(), "v1", TestDatasets.Start));
        var time = new FakeTimeProvider(TestDatasets.Start.AddYears(1));
        var service = new RecommenderService(new FixedModel(serving), new UserHistoryStore(store), time);

        var plain = new ListStats();
        var diverse = new ListStats();
        foreach (var (user, index) in split.Users.Select((u, i) => (u, i)).Take(200))
        {
            var start = data.UserOffsets[user];
            var test = split.TestEvent[index];
            var recent = Enumerable.Range(Math.Max(start, test - RequestRules.MaxRequestEvents), test - Math.Max(start, test - RequestRules.MaxRequestEvents))
                .Select(e => new RequestEvent { ItemId = data.ItemIds[data.EventItems[e]], Type = data.EventTypeNames[e], Timestamp = DateTimeOffset.FromUnixTimeSeconds(data.EventTimes[e]) })
                .ToList();
            var target = data.ItemIds[data.EventItems[test]];
            foreach (var (stats, diversity) in new[] { (plain, 0.0), (diverse, 0.5) })
            {
                var response = await service.RecommendAsync(new RecommendationRequest { UserId = $"eval-{user}", RecentEvents = recent, K = 10, Diversity = diversity, Filter = new RecommendationFilter { IncludeUnavailable = true } });
                stats.Add(serving, response.Items.Select(i => i.ItemId).ToList(), target);
            }
        }

        var report = $"diversity 0.5 vs 0: categories in the top 10 {diverse.Categories:F2} vs {plain.Categories:F2}, intra-list similarity {diverse.IntraListSimilarity:F3} vs {plain.IntraListSimilarity:F3}, HR@10 {diverse.HitRate:F3} vs {plain.HitRate:F3}";
        Assert.True(diverse.Categories > plain.Categories, report);
        Assert.True(diverse.IntraListSimilarity < 0.95 * plain.IntraListSimilarity, report);
        Assert.True(diverse.HitRate >= 0.8 * plain.HitRate, report);
    }

    private sealed class ListStats
    {
        private double _categories;
        private double _similarity;
        private int _hits;
        private int _lists;

        public double Categories => _categories / _lists;

        public double IntraListSimilarity => _similarity / _lists;

        public double HitRate => (double)_hits / _lists;

        public void Add(ServingModel model, List<string> items, string target)
        {
            _lists++;
            _hits += items.Contains(target) ? 1 : 0;
            _categories += items.SelectMany(i => model.Items[model.IndexOf(i) - 1].Categories).Distinct().Count();
            double sum = 0;
            var pairs = 0;
            for (var a = 0; a < items.Count; a++)
            {
                for (var b = a + 1; b < items.Count; b++)
                {
                    sum += System.Numerics.Tensors.TensorPrimitives.Dot(model.VectorOf(model.IndexOf(items[a])), model.VectorOf(model.IndexOf(items[b])));
                    pairs++;
                }
            }

            _similarity += pairs == 0 ? 0 : sum / pairs;
        }
    }

    private sealed class FixedModel(ServingModel model) : ILiveModelSource
    {
        public ValueTask<ServingModel?> GetCurrentAsync(CancellationToken cancellationToken = default) => ValueTask.FromResult<ServingModel?>(model);
    }
}
