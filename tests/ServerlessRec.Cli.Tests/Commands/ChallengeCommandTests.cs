using ServerlessRec.Pipeline;
using ServerlessRec.Serving;

namespace ServerlessRec.Cli.Tests.Commands;

/// <summary><c>challenge --promote</c> and the last promotion in <c>status</c>, over a local store with two kept versions (v2 live).</summary>
public sealed class ChallengeCommandTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), $"serverlessrec-challenge-{Guid.NewGuid():N}");

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    [Fact]
    public async Task Challenge_Promote_MakesTheChallengerLiveEndsTheChallengeAndStatusShowsIt()
    {
        var store = await KeptVersions.PublishAsync(_root);
        var (started, _, startError) = await RunAsync("challenge", "v1", "--share", "0.2", "--root", _root);
        Assert.True(started == 0, startError);

        var (code, output, error) = await RunAsync("challenge", "--promote", "--reason", "CTR up", "--by", "alice", "--root", _root);
        var (_, status, _) = await RunAsync("status", "--root", _root);

        Assert.True(code == 0, error);
        Assert.Contains("challenger v1 promoted: it is live (was v2", output, StringComparison.Ordinal);
        var (pointer, _) = await ModelPointer.ReadAsync(store);
        Assert.Equal(("v1", ModelActivation.PromotionTrigger, "alice", "CTR up"), (pointer!.Version, pointer.Trigger, pointer.ActivatedBy, pointer.Reason));
        Assert.Null((await ChallengerPointer.ReadAsync(store)).Pointer);
        Assert.Contains("last promotion: v1 at ", status, StringComparison.Ordinal);
        Assert.Contains("promoted challenger v1 over v2 by alice: CTR up", status, StringComparison.Ordinal);
        Assert.DoesNotContain("challenger: v1", status, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Challenge_PromoteWithoutAChallenger_FailsNamingIt()
    {
        var store = await KeptVersions.PublishAsync(_root);

        var (code, _, error) = await RunAsync("challenge", "--promote", "--root", _root);

        Assert.Equal(1, code);
        Assert.Contains("no challenger runs", error, StringComparison.Ordinal);
        Assert.Equal("v2", (await ModelPointer.ReadAsync(store)).Pointer!.Version);
    }

    [Theory]
    [InlineData("v1", "--promote")]
    [InlineData("--promote", "--stop")]
    [InlineData("--promote", "--share", "0.2")]
    public async Task Challenge_PromoteWithAnotherMode_IsAUsageError(params string[] args)
    {
        var (code, _, error) = await RunAsync(["challenge", .. args, "--root", _root]);

        Assert.NotEqual(0, code);
        Assert.Contains("--promote alone", error, StringComparison.Ordinal);
    }

    private static async Task<(int Code, string Output, string Error)> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await CliApplication.RunAsync(args, output, error);
        return (code, output.ToString(), error.ToString());
    }
}
