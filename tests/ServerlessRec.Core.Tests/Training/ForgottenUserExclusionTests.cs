using ServerlessRec.Events;
using ServerlessRec.Serving;
using ServerlessRec.Training;

namespace ServerlessRec.Core.Tests.Training;

public sealed class ForgottenUserExclusionTests
{
    [Fact]
    public void Build_ForgottenUser_DropsTheirEventsUpToTheForgetTimeOnly()
    {
        var builder = new InteractionDatasetBuilder(new EventTypeOptions());
        var hasher = new UserIdHasher(new byte[UserIdHasher.KeyLength]);
        builder.ExcludeForgottenUsers(new ForgottenUserSet(hasher, new Dictionary<string, DateTimeOffset> { [hasher.Hash("gone")] = TestDatasets.Start.AddMinutes(10) }, new Dictionary<string, DateTimeOffset>()));

        builder.Add(new InteractionEvent("gone", "a", "view", TestDatasets.Start.AddMinutes(1)));
        builder.Add(new InteractionEvent("gone", "b", "view", TestDatasets.Start.AddMinutes(10)));
        builder.Add(new InteractionEvent("gone", "c", "view", TestDatasets.Start.AddMinutes(11)));
        builder.Add(new InteractionEvent("kept", "a", "view", TestDatasets.Start.AddMinutes(1)));
        var data = builder.Build();

        Assert.Equal(2, builder.ExcludedEventCount);
        Assert.Equal(2, data.EventCount);
        Assert.Equal(["gone", "kept"], data.UserIds.Order(StringComparer.Ordinal));
        var gone = data.UserIds.ToList().IndexOf("gone");
        Assert.Equal("c", data.ItemIds[data.EventItems[data.UserOffsets[gone]]]);
    }
}
