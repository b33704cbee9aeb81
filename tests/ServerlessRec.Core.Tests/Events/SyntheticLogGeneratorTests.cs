using System.IO.Compression;
using System.Security.Cryptography;
using ServerlessRec.Events;
using ServerlessRec.Storage;

namespace ServerlessRec.Core.Tests.Events;

public sealed class SyntheticLogGeneratorTests
{
    private static readonly SyntheticLogOptions Small = new() { Users = 400, Items = 2_000, Events = 20_000, Seed = 7 };

    [Fact]
    public async Task WriteEventsAsync_SameSeed_WritesIdenticalBytes()
    {
        var first = await GenerateAsync(Small with { BadLineFraction = 0.05 });
        var second = await GenerateAsync(Small with { BadLineFraction = 0.05 });
        var otherSeed = await GenerateAsync(Small with { BadLineFraction = 0.05, Seed = 8 });

        Assert.Equal(SHA256.HashData(first.Bytes), SHA256.HashData(second.Bytes));
        Assert.NotEqual(SHA256.HashData(first.Bytes), SHA256.HashData(otherSeed.Bytes));
    }

    [Fact]
    public async Task WriteEventsAsync_WithBadLines_ReaderAcceptsExactlyTheEventsAndRejectsExactlyTheBadLines()
    {
        var (bytes, summary) = await GenerateAsync(Small with { BadLineFraction = 0.1 });

        var (read, sink) = Read(bytes);

        Assert.Equal(Small.Events, summary.Events);
        Assert.Equal(Small.Events, read.Accepted);
        Assert.Equal(summary.BadLines, read.Rejected);
        Assert.Equal(summary.BadLinesByReason, read.RejectedByReason);
        Assert.Equal(
            ["bad-timestamp", "bad-value", "control-character", "id-too-long", "invalid-json", "invalid-utf8", "missing-field", "unknown-type"],
            read.RejectedByReason.Keys);
        Assert.InRange(read.Rejected / (double)read.Lines, 0.085, 0.115);
        Assert.All(sink.Rejected, r => Assert.StartsWith($"line {r.LineNumber}: ", r.Message, StringComparison.Ordinal));
    }

    [Fact]
    public async Task WriteEventsAsync_BadLineFraction_DoesNotChangeTheValidEvents()
    {
        var clean = Read((await GenerateAsync(Small)).Bytes).Sink.Events;
        var noisy = Read((await GenerateAsync(Small with { BadLineFraction = 0.3 })).Bytes).Sink.Events;

        Assert.Equal(clean, noisy);
    }

    [Fact]
    public async Task WriteEventsAsync_Popularity_TopTenPercentOfItemsGetMoreThanFortyPercentOfEvents()
    {
        var events = Read((await GenerateAsync(Small)).Bytes).Sink.Events;

        var counts = events.CountBy(e => e.ItemId).Select(c => c.Value).OrderDescending().ToList();
        var top = counts.Take(Small.Items / 10).Sum();

        Assert.True(top > 0.4 * events.Count, $"top 10% of items have {top} of {events.Count} events");
    }

    [Fact]
    public async Task TrueAffinity_ItemsUsersInteractedWith_HaveHigherAffinityThanTheCatalogAverage()
    {
        var generator = new SyntheticLogGenerator(Small);
        var events = Read((await GenerateAsync(Small)).Bytes).Sink.Events.Where(e => e.Type != "skip").ToList();

        static int Index(string id) => int.Parse(id.AsSpan(1), System.Globalization.CultureInfo.InvariantCulture) - 1;
        var interacted = events.Average(e => generator.TrueAffinity(Index(e.UserId), Index(e.ItemId)));
        var random = new Random(1);
        var baseline = Enumerable.Range(0, 20_000).Average(_ => generator.TrueAffinity(random.Next(Small.Users), random.Next(Small.Items)));

        Assert.True(interacted > 2 * baseline, $"interacted {interacted:F3}, catalog average {baseline:F3}");
        Assert.Throws<ArgumentOutOfRangeException>(() => generator.TrueAffinity(Small.Users, 0));
    }

    [Fact]
    public async Task WriteEventsAsync_Sessions_AreTimeOrderedWithLongGapsBetweenAndShortGapsWithin()
    {
        var (bytes, summary) = await GenerateAsync(Small);
        var events = Read(bytes).Sink.Events;

        Assert.True(events.Zip(events.Skip(1)).All(p => p.First.Timestamp <= p.Second.Timestamp), "the log is not time-ordered");
        Assert.Equal(summary.FirstTimestamp, events[0].Timestamp);
        Assert.Equal(summary.LastTimestamp, events[^1].Timestamp);
        Assert.InRange(summary.LastTimestamp - Small.Start, TimeSpan.FromDays(Small.Days - 1), TimeSpan.FromDays(Small.Days + 1));
        long within = 0, between = 0;
        foreach (var user in events.GroupBy(e => e.UserId))
        {
            foreach (var (previous, next) in user.Zip(user.Skip(1)))
            {
                var gap = next.Timestamp - previous.Timestamp;
                Assert.True(gap <= TimeSpan.FromMinutes(20) || gap > TimeSpan.FromMinutes(30), $"gap of {gap} for {user.Key}");
                _ = gap > TimeSpan.FromMinutes(30) ? between++ : within++;
            }
        }

        Assert.InRange(within / (double)(within + between), 0.7, 0.9);
    }

    [Fact]
    public async Task WriteEventsAsync_ConsecutiveItemsOfASession_ShareCategoriesFarMoreThanRandomPairs()
    {
        var generator = new SyntheticLogGenerator(Small);
        var categories = generator.GetCatalog().ToDictionary(i => i.ItemId, i => i.Categories);
        var events = Read((await GenerateAsync(Small)).Bytes).Sink.Events.Where(e => e.Type != "skip").ToList();

        var inSession = events.GroupBy(e => e.UserId)
            .SelectMany(u => u.Zip(u.Skip(1)).Where(p => p.Second.Timestamp - p.First.Timestamp < TimeSpan.FromMinutes(30)))
            .Select(p => SharesCategory(p.First.ItemId, p.Second.ItemId)).ToList();
        var random = events.Zip(events.Skip(events.Count / 2)).Select(p => SharesCategory(p.First.ItemId, p.Second.ItemId)).ToList();

        var sessionRate = inSession.Average(s => s ? 1.0 : 0.0);
        var randomRate = random.Average(s => s ? 1.0 : 0.0);
        Assert.True(sessionRate > 2 * randomRate, $"in-session {sessionRate:P1} vs random {randomRate:P1}");

        bool SharesCategory(string a, string b) => categories[a].Intersect(categories[b]).Any();
    }

    [Fact]
    public async Task WriteEventsAsync_Users_MostlyDoNotRepeatItemsAndViewsAreMostCommon()
    {
        var events = Read((await GenerateAsync(Small)).Bytes).Sink.Events;

        var distinctPairs = events.Select(e => (e.UserId, e.ItemId)).Distinct().Count();
        var types = events.CountBy(e => e.Type).ToDictionary();

        Assert.True(distinctPairs > 0.95 * events.Count, $"{events.Count - distinctPairs} repeated user-item pairs");
        Assert.Equal("view", types.MaxBy(t => t.Value).Key);
        Assert.All(["click", "like", "purchase", "skip"], t => Assert.True(types.GetValueOrDefault(t) > 0, t));
    }

    [Fact]
    public async Task GetCatalog_AllItems_HaveTitleAndOneOrTwoCategoriesAndSomeHaveNoEvents()
    {
        var generator = new SyntheticLogGenerator(Small);
        var catalog = generator.GetCatalog().ToList();
        var seen = Read((await GenerateAsync(Small)).Bytes).Sink.Events.Select(e => e.ItemId).ToHashSet();

        Assert.Equal(Small.Items, catalog.Count);
        Assert.Equal(Small.Items, catalog.Select(i => i.ItemId).Distinct().Count());
        Assert.All(catalog, i => Assert.InRange(i.Categories.Count, 1, 2));
        Assert.All(catalog, i => Assert.False(string.IsNullOrEmpty(i.Title)));
        Assert.All(catalog.SelectMany(i => i.Categories), c => Assert.Contains(c, generator.CategoryNames));
        var cold = catalog.Where(i => !seen.Contains(i.ItemId)).ToList();
        Assert.InRange(cold.Count, (int)(Small.Items * Small.ColdItemFraction), Small.Items / 5);
    }

    [Fact]
    public async Task WriteCatalogAsync_Output_IsReadBackByCatalogReader()
    {
        var generator = new SyntheticLogGenerator(Small);
        using var stream = new MemoryStream();
        await generator.WriteCatalogAsync(stream);
        stream.Position = 0;
        var sink = new CollectingSink();

        var summary = new CatalogReader().Read(stream, "items.jsonl", CatalogFileFormat.JsonLines, sink);

        Assert.Equal((Small.Items, 0L), (summary.Accepted, summary.Rejected));
        var expected = generator.GetCatalog().First();
        Assert.Equal((expected.ItemId, expected.Title, expected.Available), (sink.Items[0].ItemId, sink.Items[0].Title, sink.Items[0].Available));
        Assert.Equal(expected.Categories, sink.Items[0].Categories);
        Assert.Equal(expected.Tags, sink.Items[0].Tags);
    }

    [Fact]
    public async Task WriteToStoreAsync_Gzip_WritesHourPartitionsAndCatalogThatReadBackToTheEvents()
    {
        var store = new InMemoryBlobStore();
        var options = Small with { Events = 3_000, BadLineFraction = 0.02 };

        var summary = await new SyntheticLogGenerator(options).WriteToStoreAsync(store, gzip: true);

        Assert.Equal(["items.jsonl"], store.Names(ContainerNames.Catalog));
        var files = store.Names(ContainerNames.Events);
        Assert.Equal(files, summary.Files);
        Assert.All(files, f => Assert.Matches(@"^\d{4}/\d{2}/\d{2}/\d{2}/synthetic-\d{5}\.jsonl\.gz$", f));
        var reader = new EventFileReader(new EventTypeOptions());
        var sink = new CollectingSink();
        var total = IngestSummary.Combine(files.Select(f => reader.Read(new MemoryStream(store.Content(ContainerNames.Events, f)), f, EventFileFormat.FromFileName(f), sink)));
        Assert.Equal((options.Events, summary.BadLines), (total.Accepted, total.Rejected));
    }

    [Fact]
    public async Task WriteEventsAsync_PartitionedWithSmallFiles_SplitsFilesAndKeepsThemInTimeOrder()
    {
        var store = new InMemoryBlobStore();

        var summary = await new SyntheticLogGenerator(Small with { Events = 2_500 }).WriteEventsAsync(new BlobStoreDestination(store, ContainerNames.Events), "demo", linesPerFile: 1_000);

        Assert.Equal(3, summary.Files.Count);
        Assert.Equal(["demo-00001.jsonl", "demo-00002.jsonl", "demo-00003.jsonl"], summary.Files.Select(f => f[14..]));
        var reader = new EventFileReader(new EventTypeOptions());
        var lastOfPrevious = DateTimeOffset.MinValue;
        foreach (var file in summary.Files)
        {
            var sink = new CollectingSink();
            reader.Read(new MemoryStream(store.Content(ContainerNames.Events, file)), file, EventFileFormat.JsonLines, sink);
            var hour = sink.Events[0].Timestamp.UtcDateTime;
            Assert.StartsWith($"{hour:yyyy/MM/dd/HH}/", file, StringComparison.Ordinal);
            Assert.True(sink.Events[0].Timestamp >= lastOfPrevious);
            lastOfPrevious = sink.Events[^1].Timestamp;
        }
    }

    [Fact]
    public async Task WriteEventsAsync_GzipStream_RoundTripsThroughReader()
    {
        var generator = new SyntheticLogGenerator(Small with { Events = 1_000 });
        using var compressed = new MemoryStream();
        await using (var gzip = new GZipStream(compressed, CompressionLevel.Fastest, leaveOpen: true))
        {
            await generator.WriteEventsAsync(gzip);
        }

        var summary = new EventFileReader(new EventTypeOptions()).Read(new MemoryStream(compressed.ToArray()), "s.jsonl.gz", EventFileFormat.JsonLines, new CollectingSink());

        Assert.Equal(1_000, summary.Accepted);
    }

    [Fact]
    public async Task WriteEventsAsync_ZeroEvents_WritesNothing()
    {
        var (bytes, summary) = await GenerateAsync(Small with { Events = 0, BadLineFraction = 0.5 });

        Assert.Empty(bytes);
        Assert.Equal((0L, 0L), (summary.Events, summary.BadLines));
    }

    [Theory]
    [InlineData(0, 10, 10, 0.0, 5)]
    [InlineData(10, 0, 10, 0.0, 5)]
    [InlineData(10, 10, -1, 0.0, 5)]
    [InlineData(10, 10, 10, 0.6, 5)]
    [InlineData(10, 10, 10, 0.0, 65)]
    public void Constructor_OptionOutOfRange_Throws(int users, int items, long events, double bad, int categories) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new SyntheticLogGenerator(new SyntheticLogOptions { Users = users, Items = items, Events = events, BadLineFraction = bad, Categories = categories }));

    private static async Task<(byte[] Bytes, SyntheticLogSummary Summary)> GenerateAsync(SyntheticLogOptions options)
    {
        using var stream = new MemoryStream();
        var summary = await new SyntheticLogGenerator(options).WriteEventsAsync(stream);
        return (stream.ToArray(), summary);
    }

    private static (EventFileSummary Summary, CollectingSink Sink) Read(byte[] bytes)
    {
        var sink = new CollectingSink();
        var summary = new EventFileReader(new EventTypeOptions()).Read(new MemoryStream(bytes), "synthetic.jsonl", EventFileFormat.JsonLines, sink);
        return (summary, sink);
    }
}
