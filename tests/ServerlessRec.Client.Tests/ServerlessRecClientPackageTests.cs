namespace ServerlessRec.Client.Tests;

/// <summary>The package stays a client: what it brings into a web app is HTTP plumbing, never the engine.</summary>
public sealed class ServerlessRecClientPackageTests
{
    [Fact]
    public void ClientAssembly_References_NeitherTheEngineNorOnnxRuntimeNorAspNetCore()
    {
        var references = typeof(ServerlessRecClient).Assembly.GetReferencedAssemblies().Select(a => a.Name!).ToList();

        Assert.DoesNotContain(references, name => name.StartsWith("ServerlessRec.", StringComparison.Ordinal));
        Assert.DoesNotContain(references, name => name.StartsWith("Microsoft.ML", StringComparison.Ordinal));
        Assert.DoesNotContain(references, name => name.StartsWith("Microsoft.AspNetCore", StringComparison.Ordinal));
        Assert.Contains("Microsoft.Extensions.Http.Resilience", references);
    }
}
