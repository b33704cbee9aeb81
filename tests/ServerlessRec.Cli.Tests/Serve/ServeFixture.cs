using Microsoft.AspNetCore.Builder;
using ServerlessRec.Cli.Commands;
using ServerlessRec.Events;
using ServerlessRec.Onnx;
using ServerlessRec.Serving;
using ServerlessRec.Storage;
using ServerlessRec.Training;

namespace ServerlessRec.Cli.Tests.Serve;

/// <summary>
/// The real <c>serve</c> host (Kestrel on 127.0.0.1, a free port) over a local store in which a small model,
/// trained on clustered data (users u0..u119, items i0..i39; i0..i19 "left", i20..i39 "right"), is live.
/// The training approach is the one of Core.Tests' ServingFixture.
/// </summary>
public sealed class ServeFixture : IAsyncLifetime
{
    public static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private readonly string _root = Path.Combine(Path.GetTempPath(), "srec-serve-" + Guid.NewGuid().ToString("N"));
    private WebApplication? _app;

    public LocalFolderBlobStore Store { get; private set; } = null!;

    public HttpClient Client { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Store = new LocalFolderBlobStore(new StorageOptions { LocalRoot = _root });
        var data = Clustered(users: 120, items: 40, eventsPerUser: 20, seed: 21);
        var options = new TwoTowerOptions { Dimensions = 16, HiddenDimensions = 16, HistoryLength = 20, BatchSize = 32, Epochs = 6, Threads = 2, SampledNegatives = 16 };
        var perUser = Enumerable.Range(0, data.UserCount).Select(u => data.UserOffsets[u + 1] - data.UserOffsets[u]).ToArray();
        var model = new TwoTowerTrainer(options).Train(data, perUser).Model;
        var package = ModelExporter.Export(model, data, options, new EventTypeOptions(), "v1", Start);
        await package.WriteAsync(Store);
        await ModelPointer.WriteAsync(Store, new ModelPointer { Version = "v1", ActivatedAt = Start }, expectedETag: null);

        (_app, Client) = await StartAsync(_root);
    }

    /// <summary>Starts <c>serve</c>'s app on 127.0.0.1 with a port the OS picks; returns it with a client for its address.</summary>
    public static async Task<(WebApplication App, HttpClient Client)> StartAsync(string root)
    {
        var app = ServeCommand.CreateApp(root, "http://127.0.0.1:0", TimeProvider.System);
        await app.StartAsync();
        var client = new HttpClient { BaseAddress = new Uri(app.Urls.Single().TrimEnd('/') + "/"), Timeout = TimeSpan.FromSeconds(30) };
        return (app, client);
    }

    public async Task DisposeAsync()
    {
        Client.Dispose();
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }

        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    private static InteractionDataset Clustered(int users, int items, int eventsPerUser, int seed)
    {
        var random = new Random(seed);
        var builder = new InteractionDatasetBuilder(new EventTypeOptions(), 16);
        for (var i = 0; i < items; i++)
        {
            builder.AddItemFeatures($"i{i}", [i < items / 2 ? "left" : "right"], [$"tag{i % 3}"]);
        }

        for (var u = 0; u < users; u++)
        {
            var group = u % 2;
            var position = random.Next(items / 2);
            for (var e = 0; e < eventsPerUser; e++)
            {
                position = (position + 1 + random.Next(2)) % (items / 2);
                var item = random.NextDouble() < 0.9 ? (group * (items / 2)) + position : random.Next(items);
                var type = random.NextDouble() < 0.1 ? "skip" : "view";
                builder.Add(new InteractionEvent($"u{u}", $"i{item}", type, Start.AddMinutes((e * 10.0) + (u * 0.01))));
            }
        }

        return builder.Build();
    }
}
