using Microsoft.Extensions.Time.Testing;
using ServerlessRec.Core.Tests.Events;
using ServerlessRec.Events;
using ServerlessRec.Onnx;
using ServerlessRec.Pipeline;
using ServerlessRec.Serving;
using ServerlessRec.Storage;
using ServerlessRec.Training;

namespace ServerlessRec.Core.Tests.Serving;

/// <summary>
/// Train/serve parity end to end: the vector serving computes from a user's stored history (through the exported ONNX
/// tower) equals the trainer's vector for the same cutoff.
/// </summary>
public sealed class HistoryParityTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "srec-parity-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    [Fact]
    public async Task UserVector_StoredHistoriesOfGeneratedUsers_EqualTheTrainersVectorsWithin1e5()
    {
        // Generated sessions (gaps over 30 minutes between them, skips), plus same-second events: a second event on the
        // same item of another type (a view and a like in one second) and another item in the same second.
        var events = await GeneratedEventsAsync();
        var types = new EventTypeOptions();
        var builder = new InteractionDatasetBuilder(types, featureBuckets: 16);
        foreach (var e in events)
        {
            builder.Add(e);
        }

        var data = builder.Build();
        var options = new TwoTowerOptions
        {
            Dimensions = 8, HiddenDimensions = 8, HistoryLength = 6, SessionMaxEvents = 3, SessionGapMinutes = 30, SessionPositionDecay = 0.6,
            BatchSize = 32, Epochs = 1, Threads = 1, SampledNegatives = 4, FeatureBuckets = 16,
        };
        var model = new TwoTowerTrainer(options).Train(data, TestDatasets.AllEvents(data)).Model;
        var store = new LocalFolderBlobStore(new StorageOptions { LocalRoot = _root });
        await ModelExporter.Export(model, data, options, types, "v1", TestDatasets.Start).WriteAsync(store);
        await ModelPointer.WriteAsync(store, new ModelPointer { Version = "v1", ActivatedAt = TestDatasets.Start }, expectedETag: null);

        // Half the users are seeded from the dataset (bulk files); the other half posted their events in small batches that
        // reached the history newest batch first, each batch newest event first (concurrent posts), not in log order.
        var histories = new UserHistoryStore(store);
        var seeded = Enumerable.Range(0, data.UserCount).Where(u => u % 2 == 0).Select(u => data.UserIds[u]).ToHashSet(StringComparer.Ordinal);
        await UserHistorySeeder.SeedUsersAsync(data, histories, seeded);
        foreach (var user in events.Where(e => !seeded.Contains(e.UserId)).GroupBy(e => e.UserId))
        {
            foreach (var batch in user.Chunk(4).Reverse())
            {
                await histories.AppendAsync(user.Key, [.. batch.Reverse().Select(e => new HistoryEvent { ItemId = e.ItemId, Type = e.Type, Timestamp = e.Timestamp, Value = e.Value })]);
            }
        }

        var time = new FakeTimeProvider(TestDatasets.Start.AddDays(40));
        var sut = new RecommenderService(new LiveModelProvider(store, time), histories, time);
        var window = new HistoryWindow(options);
        var items = new int[window.Length];
        var longTerm = new float[window.Length];
        var session = new float[window.Length];
        var expected = new float[model.Dimensions];
        var scratch = new float[model.UserScratchSize];
        var worst = 0f;
        for (var u = 0; u < data.UserCount; u++)
        {
            var start = data.UserOffsets[u];
            var end = data.UserOffsets[u + 1];
            Assert.True(end - start <= UserHistoryStore.DefaultCapacity, "the store keeps the user's whole history");
            var n = window.Fill(HistoryEvents.Of(data, start, end), items, longTerm, session);
            model.UserVector(items.AsSpan(0, n), longTerm.AsSpan(0, n), session.AsSpan(0, n), expected, scratch);

            var (_, actual, length) = await sut.UserVectorAsync(data.UserIds[u]);

            Assert.Equal(n, length);
            for (var k = 0; k < model.Dimensions; k++)
            {
                worst = Math.Max(worst, Math.Abs(expected[k] - actual![k]));
            }
        }

        Assert.True(worst <= 1e-5f, $"largest difference {worst}");
    }

    [Fact]
    public void Build_SameSecondEventsInAnyArrivalOrder_GiveTheSameOrder()
    {
        (string Item, string Type, double? Value)[] second = [("b", "view", null), ("a", "view", 30), ("a", "like", null), ("a", "view", null), ("a", "rating", 4), ("a", "rating", 2)];

        var orders = new[] { second, [.. second.Reverse()] }.Select(arrival =>
        {
            var builder = new InteractionDatasetBuilder(new EventTypeOptions());
            foreach (var (item, type, value) in arrival)
            {
                builder.Add(new InteractionEvent("u", item, type, TestDatasets.Start, value));
            }

            var data = builder.Build();
            return Enumerable.Range(0, data.EventCount).Select(e => (data.ItemIds[data.EventItems[e]], data.EventTypeNames[e], data.EventValues[e])).ToList();
        }).ToList();

        Assert.Equal(orders[0], orders[1]);
        Assert.Equal([("a", "like", float.NaN), ("a", "rating", 2f), ("a", "rating", 4f), ("a", "view", float.NaN), ("a", "view", 30f), ("b", "view", float.NaN)], orders[0]);
    }

    /// <summary>The synthetic log's events with same-second companions added, in log order (a companion right after its event).</summary>
    private static async Task<List<InteractionEvent>> GeneratedEventsAsync()
    {
        var generator = new SyntheticLogGenerator(new SyntheticLogOptions { Users = 40, Items = 50, Events = 1000, Seed = 11, Days = 20, Categories = 6, Tastes = 4 });
        using var log = new MemoryStream();
        await generator.WriteEventsAsync(log);
        log.Position = 0;
        var sink = new CollectingSink();
        await new EventFileReader(new EventTypeOptions()).ReadAsync(log, "synthetic.jsonl", EventFileFormat.JsonLines, sink);
        Assert.Empty(sink.Rejected);

        var random = new Random(5);
        var events = new List<InteractionEvent>();
        var perUser = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var e in sink.Events)
        {
            // The store keeps a user's newest 200 events, negatives included: the few very active users are cut short, so
            // every stored history holds the user's whole log and the trainer's window is in it.
            perUser[e.UserId] = perUser.GetValueOrDefault(e.UserId) + 1;
            if (perUser[e.UserId] > 100)
            {
                continue;
            }

            events.Add(e);
            var draw = random.NextDouble();
            if (e.Type != "skip" && draw < 0.35)
            {
                events.Add(e with { Type = e.Type == "like" ? "view" : "like", Value = null });
            }
            else if (draw < 0.5)
            {
                events.Add(e with { ItemId = "i" + (1 + random.Next(50)), Type = draw < 0.4 ? "skip" : "click", Value = null });
            }
        }

        Assert.Contains(sink.Events, e => e.Type == "skip");
        return events;
    }
}
