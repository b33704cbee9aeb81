using System.ComponentModel.DataAnnotations;
using ServerlessRec.Azure.Search;
using ServerlessRec.Retrieval;

namespace ServerlessRec.Azure.Tests.Search;

public sealed class SearchOptionsTests
{
    [Fact]
    public void Defaults_AreDocumentedValuesAndValid()
    {
        var options = new SearchOptions();

        Assert.Equal("Search", SearchOptions.SectionName);
        Assert.Equal(SearchProviderKind.Embedded, options.Provider);
        Assert.Null(options.Endpoint);
        Assert.Null(options.ApiKey);
        Assert.Equal("items-v", options.IndexPrefix);
        Assert.Equal(4, options.HnswM);
        Assert.Equal(400, options.EfConstruction);
        Assert.Equal(500, options.EfSearch);
        Assert.False(options.ScalarQuantization);
        Assert.False(options.ExhaustiveKnn);
        Assert.Equal(1000, options.UploadBatchSize);
        Assert.Equal(5, options.MaxRetries);
        Assert.Null(options.KeepVersions);
        Assert.Empty(Validate(options));
    }

    [Theory]
    [InlineData(nameof(SearchOptions.HnswM), 3)]
    [InlineData(nameof(SearchOptions.HnswM), 11)]
    [InlineData(nameof(SearchOptions.EfConstruction), 99)]
    [InlineData(nameof(SearchOptions.EfSearch), 1001)]
    [InlineData(nameof(SearchOptions.UploadBatchSize), 1001)]
    [InlineData(nameof(SearchOptions.UploadBatchSize), 0)]
    [InlineData(nameof(SearchOptions.MaxRetries), -1)]
    public void Validate_NumberOutOfRange_NamesTheSetting(string property, int value)
    {
        var options = new SearchOptions();
        typeof(SearchOptions).GetProperty(property)!.SetValue(options, value);

        Assert.Contains(Validate(options), e => e.MemberNames.Contains(property));
    }

    [Fact]
    public void Validate_KeepVersionsSet_PointsToRetrainKeepVersions()
    {
        var errors = Validate(new SearchOptions { KeepVersions = 1 });

        var error = Assert.Single(errors, e => e.MemberNames.Contains(nameof(SearchOptions.KeepVersions)));
        Assert.Contains("Retrain:KeepVersions", error.ErrorMessage, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Items-v")]
    [InlineData("items_v")]
    [InlineData("items--v")]
    [InlineData("-items")]
    [InlineData("")]
    public void Validate_IndexPrefixNotUsableInIndexNames_Fails(string prefix) =>
        Assert.Contains(Validate(new SearchOptions { IndexPrefix = prefix }), e => e.MemberNames.Contains(nameof(SearchOptions.IndexPrefix)));

    [Fact]
    public void Validate_AzureAISearchWithoutEndpoint_SaysEndpointIsRequired()
    {
        var errors = Validate(new SearchOptions { Provider = SearchProviderKind.AzureAISearch });

        Assert.Contains(errors, e => e.ErrorMessage!.Contains("Search:Endpoint is required", StringComparison.Ordinal));
    }

    [Fact]
    public void Validate_HttpEndpoint_SaysHttpsIsNeeded()
    {
        var errors = Validate(new SearchOptions { Provider = SearchProviderKind.AzureAISearch, Endpoint = new Uri("http://search.local") });

        Assert.Contains(errors, e => e.ErrorMessage!.Contains("https://", StringComparison.Ordinal));
    }

    [Fact]
    public void Validate_MaxRetryDelayShorterThanRetryDelay_Fails() =>
        Assert.Contains(
            Validate(new SearchOptions { RetryDelay = TimeSpan.FromSeconds(10), MaxRetryDelay = TimeSpan.FromSeconds(1) }),
            e => e.MemberNames.Contains(nameof(SearchOptions.MaxRetryDelay)));

    [Fact]
    public void CreatePublisher_EmbeddedProvider_Throws()
    {
        var error = Assert.Throws<ArgumentException>(() => SearchIndexBackendFactory.CreatePublisher(new SearchOptions()));

        Assert.Contains("Search:Provider is Embedded", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CreatePublisher_InvalidOptions_ThrowsWithTheirMessages()
    {
        var options = new SearchOptions { Provider = SearchProviderKind.AzureAISearch };

        var error = Assert.Throws<ArgumentException>(() => SearchIndexBackendFactory.CreatePublisher(options));

        Assert.Contains("Search:Endpoint is required", error.Message, StringComparison.Ordinal);
    }

    private static List<ValidationResult> Validate(SearchOptions options)
    {
        var results = new List<ValidationResult>();
        Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true);
        return results;
    }
}
