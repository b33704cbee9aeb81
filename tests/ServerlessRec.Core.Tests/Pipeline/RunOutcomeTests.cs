using System.Text.Json;
using ServerlessRec.Http;
using ServerlessRec.Pipeline;

namespace ServerlessRec.Core.Tests.Pipeline;

/// <summary>
/// <see cref="RunOutcome"/> keeps the strings run records and HTTP answers held before it was an enum: records already
/// stored stay readable, and what is written (record, orchestration output, run listing) reads exactly as before.
/// </summary>
public sealed class RunOutcomeTests
{
    // A run record as WriteRunRecord stored it when the outcome was a string.
    private const string StoredRecord = """
        {
          "RunId": "20260301-020000-timer-abc123",
          "Trigger": "timer",
          "Started": "2026-03-01T02:00:00+00:00",
          "Finished": "2026-03-01T02:00:05+00:00",
          "Outcome": "no-data",
          "Version": null,
          "Reason": "no events in the window"
        }
        """;

    [Fact]
    public void Deserialize_StoredRecordWithStringOutcome_ReadsTheOutcomeAndWritesTheSameString()
    {
        var record = JsonSerializer.Deserialize<RetrainRunRecord>(StoredRecord)!;

        var written = JsonDocument.Parse(JsonSerializer.Serialize(record)).RootElement;

        Assert.Equal(RunOutcome.NoData, record.Outcome);
        Assert.Equal("no-data", written.GetProperty("Outcome").GetString());
    }

    [Theory]
    [InlineData(RunOutcome.Running, "running")]
    [InlineData(RunOutcome.Activated, "activated")]
    [InlineData(RunOutcome.Rejected, "rejected")]
    [InlineData(RunOutcome.NoData, "no-data")]
    [InlineData(RunOutcome.Failed, "failed")]
    [InlineData(RunOutcome.Terminated, "terminated")]
    [InlineData(RunOutcome.Unreadable, "unreadable")]
    public void Serialize_EachOutcome_WritesItsWireNameEverywhere(RunOutcome outcome, string wire)
    {
        var record = new RetrainRunRecord { RunId = "r", Trigger = "timer", Started = DateTimeOffset.UnixEpoch, Outcome = outcome };

        var recordJson = JsonDocument.Parse(JsonSerializer.Serialize(record)).RootElement;
        var summaryJson = JsonDocument.Parse(JsonSerializer.Serialize(new RunSummary { RunId = "r", Outcome = outcome }, ApiJsonContext.Default.RunSummary)).RootElement;

        Assert.Equal(wire, outcome.ToWireName());
        Assert.Equal(wire, recordJson.GetProperty("Outcome").GetString());
        Assert.Equal(wire, summaryJson.GetProperty("outcome").GetString());
        Assert.Equal(outcome, JsonSerializer.Deserialize<RetrainOutcome>($$"""{"RunId":"r","Outcome":"{{wire}}"}""")!.Outcome);
    }
}
