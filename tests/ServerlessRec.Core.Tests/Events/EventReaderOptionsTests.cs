using System.ComponentModel.DataAnnotations;
using ServerlessRec.Events;

namespace ServerlessRec.Core.Tests.Events;

public sealed class EventReaderOptionsTests
{
    [Fact]
    public void Defaults_AreTheDocumentedValues()
    {
        var options = new EventReaderOptions();

        Assert.Equal(64 * 1024, options.MaxLineBytes);
        Assert.Equal("EventReader", EventReaderOptions.SectionName);
        Assert.Equal(128, EventReaderOptions.MaxIdLength);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(255)]
    [InlineData(16 * 1024 * 1024 + 1)]
    public void MaxLineBytes_OutOfRange_FailsValidationAndReaderConstruction(int value)
    {
        var options = new EventReaderOptions { MaxLineBytes = value };

        Assert.False(Validator.TryValidateObject(options, new ValidationContext(options), null, validateAllProperties: true));
        Assert.Throws<ArgumentOutOfRangeException>(() => new EventFileReader(new EventTypeOptions(), options));
        Assert.Throws<ArgumentOutOfRangeException>(() => new CatalogReader(options));
    }
}
