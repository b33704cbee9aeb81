using System.Text.Json;
using ServerlessRec.Onnx;
using ServerlessRec.Serving;

namespace ServerlessRec.Cli.Tests.Commands;

/// <summary><c>rollback</c> and <c>status</c> over a local store with two kept versions.</summary>
public sealed class OperationsCommandsTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), $"serverlessrec-ops-{Guid.NewGuid():N}");

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    [Fact]
    public async Task Rollback_NoTo_ActivatesTheVersionLiveBeforeTheCurrent()
    {
        var store = await KeptVersions.PublishAsync(_root);

        var (code, output, error) = await RunAsync("rollback", "--reason", "v2 is off", "--by", "alice", "--root", _root);

        Assert.True(code == 0, error);
        Assert.Contains("live model: v1 (was v2)", output, StringComparison.Ordinal);
        var (pointer, _) = await ModelPointer.ReadAsync(store);
        Assert.Equal(("v1", "rollback", "alice", "v2 is off"), (pointer!.Version, pointer.Trigger, pointer.ActivatedBy, pointer.Reason));
    }

    [Fact]
    public async Task Rollback_TamperedVersion_FailsNamingTheFileAndLeavesThePointer()
    {
        var store = await KeptVersions.PublishAsync(_root);
        await KeptVersions.TamperAsync(store, "v1", ModelManifest.ItemVectorsFile);

        var (code, _, error) = await RunAsync("rollback", "--to", "v1", "--root", _root);

        Assert.Equal(1, code);
        Assert.Contains(ModelManifest.ItemVectorsFile, error, StringComparison.Ordinal);
        Assert.Equal("v2", (await ModelPointer.ReadAsync(store)).Pointer!.Version);
    }

    [Fact]
    public async Task Rollback_UnknownVersion_FailsListingTheKeptOnes()
    {
        await KeptVersions.PublishAsync(_root);

        var (code, _, error) = await RunAsync("rollback", "--to", "v9", "--root", _root);

        Assert.Equal(1, code);
        Assert.Contains("\"v9\" does not exist (kept versions: v2, v1)", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Status_Text_ListsLiveKeptVersionsWithMetricsAndLastRuns()
    {
        await KeptVersions.PublishAsync(_root);
        await RunAsync("rollback", "--to", "v1", "--by", "alice", "--root", _root);

        var (code, output, error) = await RunAsync("status", "--root", _root);

        Assert.True(code == 0, error);
        Assert.Contains("live: v1 since ", output, StringComparison.Ordinal);
        Assert.Contains("by rollback (alice); before it: v2", output, StringComparison.Ordinal);
        var lines = output.Split('\n');
        Assert.Contains(lines, l => l.StartsWith("  * v1 ", StringComparison.Ordinal) && l.Contains("0.1250", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("    v2 ", StringComparison.Ordinal) && l.Contains("0.2500", StringComparison.Ordinal) && l.Contains("0.5000", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains(" rollback ", StringComparison.Ordinal) && l.Contains("rolled back from v2 to v1 by alice", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Status_Json_HasLiveVersionsWithMetricsAndRuns()
    {
        await KeptVersions.PublishAsync(_root);
        await RunAsync("rollback", "--root", _root);

        var (code, output, error) = await RunAsync("status", "--json", "--root", _root);

        Assert.True(code == 0, error);
        using var status = JsonDocument.Parse(output);
        Assert.Equal("v1", status.RootElement.GetProperty("live").GetProperty("version").GetString());
        Assert.Equal("rollback", status.RootElement.GetProperty("live").GetProperty("trigger").GetString());
        var versions = status.RootElement.GetProperty("versions").EnumerateArray().ToList();
        Assert.Equal(["v2", "v1"], versions.Select(v => v.GetProperty("version").GetString()));
        Assert.Equal(0.25, versions[0].GetProperty("metrics").GetProperty("validation.model").GetProperty("ndcg@10").GetDouble());
        Assert.True(versions[1].GetProperty("live").GetBoolean());
        var run = Assert.Single(status.RootElement.GetProperty("runs").EnumerateArray());
        Assert.Equal(("rollback", "activated", "v1"), (run.GetProperty("trigger").GetString(), run.GetProperty("outcome").GetString(), run.GetProperty("version").GetString()));
    }

    private static async Task<(int Code, string Output, string Error)> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await CliApplication.RunAsync(args, output, error);
        return (code, output.ToString(), error.ToString());
    }
}
