using System.Text;
using ServerlessRec.Events;
using ServerlessRec.Pipeline;
using ServerlessRec.Training;

namespace ServerlessRec.Core.Tests.Training;

/// <summary>A post that reached the log twice (byte-identical lines) must count once in training, as it does in serving histories.</summary>
public sealed class DuplicateEventTests
{
    [Fact]
    public async Task Build_LogHoldsAPostTwice_CountsEachEventOnce()
    {
        const string Post = """
            {"userId":"u1","itemId":"a","type":"view","timestamp":"2026-01-01T10:00:00.1234567Z","value":null}
            {"userId":"u1","itemId":"b","type":"rating","timestamp":"2026-01-01T10:00:00.1234567Z","value":4.5}
            {"userId":"u2","itemId":"a","type":"click","timestamp":"2026-01-01T10:00:00.1234567Z","value":null}

            """;
        var loader = new DatasetLoader(new EventTypeOptions(), TwoTowerOptions.DefaultFeatureBuckets);
        await loader.AddEventsAsync(new MemoryStream(Encoding.UTF8.GetBytes(Post + Post)), "api-h1.jsonl", EventFileFormat.JsonLines);

        var data = loader.Build();

        Assert.Equal(3, data.EventCount);
        Assert.Equal(3, loader.DuplicateEventCount);
        Assert.Equal(6, loader.Summary.Accepted);
    }

    [Fact]
    public void Build_EventsDifferingOnlyInTickTypeOrValue_KeepsEachOne()
    {
        var builder = new InteractionDatasetBuilder(new EventTypeOptions());
        var at = TestDatasets.Start;

        builder.Add(new InteractionEvent("u", "a", "rating", at, 4));
        builder.Add(new InteractionEvent("u", "a", "rating", at, 5));
        builder.Add(new InteractionEvent("u", "a", "rating", at.AddTicks(1), 4));
        builder.Add(new InteractionEvent("u", "a", "view", at));
        builder.Add(new InteractionEvent("u", "b", "rating", at, 4));
        builder.Add(new InteractionEvent("u", "a", "rating", at, 4));
        builder.Add(new InteractionEvent("v", "a", "rating", at, 4));
        var data = builder.Build();

        Assert.Equal(6, data.EventCount);
        Assert.Equal(1, builder.DuplicateEventCount);
        Assert.Equal([0, 5, 6], data.UserOffsets);
        Assert.All(data.EventTimes, t => Assert.Equal(at.ToUnixTimeSeconds(), t));
    }
}
