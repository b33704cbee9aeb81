using ServerlessRec.Events;
using ServerlessRec.Training;

namespace ServerlessRec.Core.Tests;

/// <summary>Small datasets built in code for the model and evaluation tests.</summary>
internal static class TestDatasets
{
    public static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>Builds a dataset from (user, item, type, minutes after Start) tuples.</summary>
    public static InteractionDataset Build(IEnumerable<(string User, string Item, string Type, double Minutes)> events, Action<InteractionDatasetBuilder>? configure = null, int featureBuckets = 16)
    {
        var builder = new InteractionDatasetBuilder(new EventTypeOptions(), featureBuckets);
        configure?.Invoke(builder);
        foreach (var (user, item, type, minutes) in events)
        {
            builder.Add(new InteractionEvent(user, item, type, Start.AddMinutes(minutes)));
        }

        return builder.Build();
    }

    /// <summary>
    /// A random dataset with structure: two groups of users, each consuming mostly its own half of the
    /// items in a fixed cyclic order, with categories per half.
    /// </summary>
    public static InteractionDataset Clustered(int users, int items, int eventsPerUser, int seed)
    {
        var random = new Random(seed);
        var events = new List<(string, string, string, double)>();
        for (var u = 0; u < users; u++)
        {
            var group = u % 2;
            var position = random.Next(items / 2);
            for (var e = 0; e < eventsPerUser; e++)
            {
                position = (position + 1 + random.Next(2)) % (items / 2);
                var item = random.NextDouble() < 0.9 ? (group * (items / 2)) + position : random.Next(items);
                var type = random.NextDouble() < 0.1 ? "skip" : "view";
                events.Add(($"u{u}", $"i{item}", type, (e * 10.0) + (u * 0.01)));
            }
        }

        return Build(events, b =>
        {
            for (var i = 0; i < items; i++)
            {
                b.AddItemFeatures($"i{i}", [i < items / 2 ? "left" : "right"], [$"tag{i % 3}"]);
            }
        });
    }

    public static int[] AllEvents(InteractionDataset data) =>
        Enumerable.Range(0, data.UserCount).Select(u => data.UserOffsets[u + 1] - data.UserOffsets[u]).ToArray();
}
