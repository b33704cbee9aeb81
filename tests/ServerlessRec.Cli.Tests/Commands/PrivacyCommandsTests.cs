using System.Text.Json;
using ServerlessRec.Serving;
using ServerlessRec.Storage;

namespace ServerlessRec.Cli.Tests.Commands;

/// <summary><c>export</c>, <c>forget</c>, and <c>import</c> of a forgotten user's old events.</summary>
public sealed class PrivacyCommandsTests : IDisposable
{
    private static readonly DateTimeOffset ForgetTime = new(2026, 6, 1, 0, 0, 0, TimeSpan.Zero);
    private readonly string _root = Path.Combine(Path.GetTempPath(), $"serverlessrec-privacy-{Guid.NewGuid():N}");
    private readonly string _store;

    public PrivacyCommandsTests()
    {
        _store = Path.Combine(_root, "store");
        Directory.CreateDirectory(_store);
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private UserHistoryStore Histories() => new(new LocalFolderBlobStore(new StorageOptions { LocalRoot = _store }));

    [Fact]
    public async Task Export_UserWithHistory_WritesTheEventsAndTheirBlobToOut()
    {
        await Histories().AppendAsync("a/b é", [new HistoryEvent { ItemId = "i1", Type = "view", Timestamp = ForgetTime }]);
        var file = Path.Combine(_root, "export.json");

        var (code, output, _) = await RunAsync("export", "--user", "a/b é", "--root", _store, "--out", file);

        Assert.Equal(0, code);
        Assert.Contains("1 events, 1 blobs", output, StringComparison.Ordinal);
        using var export = JsonDocument.Parse(await File.ReadAllTextAsync(file));
        Assert.Equal("a/b é", export.RootElement.GetProperty("userId").GetString());
        Assert.Equal("i1", Assert.Single(export.RootElement.GetProperty("events").EnumerateArray()).GetProperty("itemId").GetString());
        Assert.Equal(JsonValueKind.Null, export.RootElement.GetProperty("forgottenAt").ValueKind);
        Assert.StartsWith("users/", Assert.Single(export.RootElement.GetProperty("blobs").EnumerateArray()).GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Forget_ThenExport_ShowsTheForgetTimeNoEventsAndTheTombstone()
    {
        await Histories().AppendAsync("carol", [new HistoryEvent { ItemId = "i1", Type = "view", Timestamp = ForgetTime }]);

        var forget = await RunAsync("forget", "--user", "carol", "--root", _store);
        var export = await RunAsync("export", "--user", "carol", "--root", _store);

        Assert.Equal(0, forget.Code);
        Assert.Contains("stored history emptied; tombstone users/_forgotten/", forget.Output, StringComparison.Ordinal);
        Assert.Equal(0, export.Code);
        using var body = JsonDocument.Parse(export.Output);
        Assert.Equal(JsonValueKind.String, body.RootElement.GetProperty("forgottenAt").ValueKind);
        Assert.Equal(0, body.RootElement.GetProperty("events").GetArrayLength());
        Assert.Contains(body.RootElement.GetProperty("blobs").EnumerateArray(), b => b.GetString()!.StartsWith("users/_forgotten/", StringComparison.Ordinal));
        Assert.Empty((await Histories().ReadAsync("carol")).Events);
    }

    [Fact]
    public async Task Forget_IdLongerThanTheContractAllows_IsAUsageError()
    {
        var (code, _, error) = await RunAsync("forget", "--user", new string('x', 129), "--root", _store);

        Assert.Equal(2, code);
        Assert.Contains("longer than 128", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Import_ForgottenUsersOldEvents_AreSkippedAndCounted()
    {
        var histories = Histories();
        await new ForgottenUsers(new LocalFolderBlobStore(new StorageOptions { LocalRoot = _store }), histories, new FixedTime(ForgetTime)).ForgetAsync("gone");
        var file = Path.Combine(_root, "drop.jsonl");
        await File.WriteAllTextAsync(file, """
            {"userId":"gone","itemId":"i1","type":"view","timestamp":"2026-01-01T00:00:00Z"}
            {"userId":"gone","itemId":"i2","type":"view","timestamp":"2026-06-01T00:00:00Z"}
            {"userId":"gone","itemId":"i3","type":"view","timestamp":"2026-07-01T00:00:00Z"}
            {"userId":"kept","itemId":"i1","type":"view","timestamp":"2026-01-01T00:00:00Z"}
            """);

        var (code, output, _) = await RunAsync("import", "--file", file, "--out", Path.Combine(_store, "events"));

        Assert.Equal(0, code);
        Assert.Contains("skipped 2 accepted events of 1 forgotten users", output, StringComparison.Ordinal);
        var written = Assert.Single(Directory.GetFiles(Path.Combine(_store, "events"), "*.jsonl", SearchOption.AllDirectories));
        var lines = await File.ReadAllLinesAsync(written);
        Assert.Equal(2, lines.Length);
        Assert.Contains(lines, l => l.Contains("\"i3\"", StringComparison.Ordinal) && l.Contains("\"gone\"", StringComparison.Ordinal));
        Assert.DoesNotContain(lines, l => l.Contains("\"gone\"", StringComparison.Ordinal) && !l.Contains("\"i3\"", StringComparison.Ordinal));
    }

    private static async Task<(int Code, string Output, string Error)> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await CliApplication.RunAsync(args, output, error);
        return (code, output.ToString(), error.ToString());
    }

    private sealed class FixedTime(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
