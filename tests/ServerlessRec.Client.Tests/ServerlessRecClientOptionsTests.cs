using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace ServerlessRec.Client.Tests;

public sealed class ServerlessRecClientOptionsTests
{
    [Fact]
    public void Defaults_AreTheDocumentedOnes()
    {
        var options = new ServerlessRecClientOptions();

        Assert.Equal(3, options.MaxRetryAttempts);
        Assert.Equal(TimeSpan.FromMilliseconds(500), options.RetryDelay);
        Assert.Equal(TimeSpan.FromSeconds(10), options.AttemptTimeout);
        Assert.Equal(TimeSpan.FromSeconds(45), options.TotalTimeout);
        Assert.Null(options.Credential);
        Assert.Null(options.FunctionKey);
    }

    [Theory]
    [InlineData(null, "BaseAddress must be an absolute http(s) URI")]
    [InlineData("ftp://example.org/", "BaseAddress must be an absolute http(s) URI")]
    [InlineData("https://app.azurewebsites.net/api", "without /api")]
    public void Resolve_BadBaseAddress_FailsNamingIt(string? address, string expected)
    {
        var error = Assert.Throws<OptionsValidationException>(() => Resolve(o => o.BaseAddress = address is null ? null : new Uri(address)));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Resolve_CredentialWithoutScope_FailsNamingScope()
    {
        var error = Assert.Throws<OptionsValidationException>(() => Resolve(o =>
        {
            o.BaseAddress = new Uri("https://app.azurewebsites.net/");
            o.Credential = new FakeTokenCredential("t");
        }));

        Assert.Contains("Scope is required with Credential", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Resolve_NegativeRetriesAndTotalBelowAttempt_ListsBoth()
    {
        var error = Assert.Throws<OptionsValidationException>(() => Resolve(o =>
        {
            o.BaseAddress = new Uri("https://app.azurewebsites.net/");
            o.MaxRetryAttempts = -1;
            o.TotalTimeout = TimeSpan.FromSeconds(1);
        }));

        Assert.Contains("MaxRetryAttempts", error.Message, StringComparison.Ordinal);
        Assert.Contains("TotalTimeout", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Resolve_BaseAddressWithPathAndNoSlash_KeepsThePath()
    {
        using var provider = Provider(o => o.BaseAddress = new Uri("https://gateway.example.org/recs"));

        var http = provider.GetRequiredService<IHttpClientFactory>().CreateClient(typeof(IServerlessRecClient).Name);

        Assert.Equal("https://gateway.example.org/recs/api/health", new Uri(http.BaseAddress!, "api/health").AbsoluteUri);
        Assert.Equal(Timeout.InfiniteTimeSpan, http.Timeout);
    }

    private static IServerlessRecClient Resolve(Action<ServerlessRecClientOptions> configure)
    {
        using var provider = Provider(configure);
        return provider.GetRequiredService<IServerlessRecClient>();
    }

    private static ServiceProvider Provider(Action<ServerlessRecClientOptions> configure)
    {
        var services = new ServiceCollection();
        services.AddServerlessRecClient(configure);
        return services.BuildServiceProvider();
    }
}
