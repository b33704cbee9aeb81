using ServerlessRec.Evaluation;

namespace ServerlessRec.Core.Tests.Training;

/// <summary>Impressions record what was shown: the dataset, hence training and evaluation, never sees them.</summary>
public sealed class ImpressionExclusionTests
{
    [Fact]
    public void Build_ImpressionEvents_AreNeitherEventsNorVocabulary()
    {
        var data = TestDatasets.Build([("u1", "a", "view", 0), ("u1", "b", "view", 1), ("u1", "c", "click", 2), ("u1", "d", "impression", 3), ("u1", "a", "impression", 4)]);

        Assert.Equal(3, data.EventCount);
        Assert.DoesNotContain("d", data.ItemIds);
    }

    [Fact]
    public void Create_UserWithTwoPositivesAndManyImpressions_IsNotEvaluated()
    {
        var events = new List<(string, string, string, double)> { ("u1", "a", "view", 0), ("u1", "b", "view", 1) };
        events.AddRange(Enumerable.Range(0, 5).Select(i => ("u1", $"shown{i}", "impression", 2.0 + i)));

        var split = LeaveLastOutSplit.Create(TestDatasets.Build(events));

        Assert.Empty(split.Users);
    }
}
