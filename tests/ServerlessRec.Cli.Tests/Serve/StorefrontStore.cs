using ServerlessRec.Events;
using ServerlessRec.Onnx;
using ServerlessRec.Serving;
using ServerlessRec.Storage;
using ServerlessRec.Training;

namespace ServerlessRec.Cli.Tests.Serve;

/// <summary>
/// A local store for the sample storefront: a small live model trained on two clusters of shoppers (items i0..i19 are
/// "Books", i20..i39 "Garden"; each user stays in one cluster 90 % of the time) and <c>catalog/items.jsonl</c> with a
/// title for every item.
/// </summary>
internal static class StorefrontStore
{
    public static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public const int Items = 40;

    public static string TitleOf(int item) => item < Items / 2 ? $"Book {item}" : $"Garden tool {item}";

    public static string CategoryOf(int item) => item < Items / 2 ? "Books" : "Garden";

    public static async Task<LocalFolderBlobStore> PublishAsync(string root)
    {
        var store = new LocalFolderBlobStore(new StorageOptions { LocalRoot = root });
        var random = new Random(21);
        var builder = new InteractionDatasetBuilder(new EventTypeOptions(), 16);
        for (var i = 0; i < Items; i++)
        {
            builder.AddItemFeatures($"i{i}", [CategoryOf(i)], []);
        }

        for (var u = 0; u < 120; u++)
        {
            var cluster = u % 2;
            var position = random.Next(Items / 2);
            for (var e = 0; e < 20; e++)
            {
                position = (position + 1 + random.Next(2)) % (Items / 2);
                var item = random.NextDouble() < 0.9 ? (cluster * (Items / 2)) + position : random.Next(Items);
                builder.Add(new InteractionEvent($"u{u}", $"i{item}", "view", Start.AddMinutes((e * 10.0) + (u * 0.01))));
            }
        }

        var data = builder.Build();
        var options = new TwoTowerOptions { Dimensions = 16, HiddenDimensions = 16, HistoryLength = 20, BatchSize = 32, Epochs = 6, Threads = 2, SampledNegatives = 16 };
        var model = new TwoTowerTrainer(options).Train(data, Enumerable.Range(0, data.UserCount).Select(u => data.UserOffsets[u + 1] - data.UserOffsets[u]).ToArray()).Model;
        await ModelExporter.Export(model, data, options, new EventTypeOptions(), "v1", Start).WriteAsync(store);
        await ModelPointer.WriteAsync(store, new ModelPointer { Version = "v1", ActivatedAt = Start }, expectedETag: null);

        var catalog = Enumerable.Range(0, Items).Select(i => new CatalogItem($"i{i}", TitleOf(i), [CategoryOf(i)], []));
        await CatalogFileWriter.WriteAsync(new BlobStoreDestination(store, ContainerNames.Catalog), SyntheticLogGenerator.CatalogBlobName, catalog);
        return store;
    }
}
