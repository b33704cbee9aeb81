using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using ServerlessRec.Events;

namespace ServerlessRec.Core.Tests.Events;

/// <summary>The EventTypes section binds key by key over the defaults, and a bad key or value is an error naming it.</summary>
public sealed class EventTypeOptionsTests
{
    [Fact]
    public void Bind_NegativeBelowForRating_LowRatingsAreNegativeAndOtherDefaultsStay()
    {
        var options = new EventTypeOptions();

        options.Bind(Section(("EventTypes:Types:rating:NegativeBelow", "2.5"), ("EventTypes:Types:Bookmark:Weight", "3")));

        Assert.True(options.TryClassify("rating", 2.0, out _, out var low));
        Assert.True(options.TryClassify("rating", 4.0, out var weight, out var high));
        Assert.True(low);
        Assert.False(high);
        Assert.Equal(4f, weight);
        Assert.True(options.TryClassify("bookmark", null, out var bookmark, out _));
        Assert.Equal(3f, bookmark);
        Assert.True(options.IsKnown("skip"));
    }

    [Theory]
    [InlineData("EventTypes:Types:rating:NegativeBellow", "2.5", "NegativeBellow")]
    [InlineData("EventTypes:Types:rating:NegativeBelow", "low", "EventTypes:Types:rating:NegativeBelow")]
    [InlineData("EventTypes:rating:NegativeBelow", "2.5", "EventTypes:rating is not a setting")]
    public void Bind_BadKeyOrValue_ThrowsNamingIt(string key, string value, string expected)
    {
        var error = Assert.Throws<InvalidOperationException>(() => new EventTypeOptions().Bind(Section((key, value))));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_WeightOutsideItsRange_NamesTheSetting()
    {
        var options = new EventTypeOptions();
        options.Bind(Section(("EventTypes:Types:view:Weight", "5000")));

        var errors = new List<ValidationResult>();
        Assert.False(Validator.TryValidateObject(options, new ValidationContext(options), errors, validateAllProperties: true));

        Assert.StartsWith("EventTypes:Types:view:Weight:", Assert.Single(errors).ErrorMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Options_RegisteredAsTheFunctionsAppDoes_BindsAndValidatesTheSection()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["EventTypes:Types:rating:NegativeBelow"] = "3",
            ["EventTypes:Types:like:Weight"] = "-1",
        }).Build();
        using var services = new ServiceCollection()
            .AddSingleton<IConfiguration>(configuration)
            .AddOptions<EventTypeOptions>()
            .Configure<IConfiguration>((options, config) => options.Bind(config.GetSection(EventTypeOptions.SectionName)))
            .ValidateDataAnnotations()
            .Services.BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<EventTypeOptions>>().Value);

        Assert.Contains("EventTypes:Types:like:Weight", error.Message, StringComparison.Ordinal);
    }

    private static IConfigurationSection Section(params (string Key, string Value)[] settings) =>
        new ConfigurationBuilder().AddInMemoryCollection(settings.Select(s => new KeyValuePair<string, string?>(s.Key, s.Value))).Build()
            .GetSection(EventTypeOptions.SectionName);
}
