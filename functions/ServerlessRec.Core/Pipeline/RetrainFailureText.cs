using System.Text;
using System.Text.RegularExpressions;

namespace ServerlessRec.Pipeline;

/// <summary>
/// Maps the failure kinds the pipeline raises (a step's exception type and message, as the run record keeps them) to
/// sentences for the run report and <c>status</c>: people read "a log file was deleted while the run was reading it",
/// not <c>System.IO.FileNotFoundException</c>.
/// </summary>
public static partial class RetrainFailureText
{
    /// <summary>Describes a failed run as one paragraph (the step, the cause, then the file, line and user when known).</summary>
    public static string Describe(RetrainRunRecord record)
    {
        var failure = Explain(record);
        var text = new StringBuilder("The run stopped while ").Append(failure.Step).Append(": ").Append(failure.Cause).Append('.');
        if (failure.File is { } file)
        {
            text.Append(" File: ").Append(file).Append(failure.Line is { } l ? $", line {l}" : string.Empty).Append('.');
        }
        else if (failure.Line is { } line)
        {
            text.Append(" Line ").Append(line).Append('.');
        }

        if (failure.UserHash is { } user)
        {
            text.Append(" User (hashed id): ").Append(user).Append('.');
        }

        return text.ToString();
    }

    /// <summary>Splits a failed run's record into step, cause and location.</summary>
    public static RetrainFailure Explain(RetrainRunRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        var (step, message) = (record.FailedStep, record.FailureMessage);
        if (step is null && record.Reason is { } reason && reason.IndexOf(": ", StringComparison.Ordinal) is > 0 and var colon)
        {
            // Records written before the step was kept apart: "Step: message".
            (step, message) = (reason[..colon], reason[(colon + 2)..]);
        }

        message ??= record.Reason ?? string.Empty;
        var kind = record.FailureType is { } type ? type[(type.LastIndexOf('.') + 1)..] : GuessKind(message);
        var file = FilePattern().Match(message) is { Success: true } f ? f.Groups["file"].Value.TrimEnd('.', ':', ',', ';') : null;
        int? line = LinePattern().Match(message) is { Success: true } l && int.TryParse(l.Groups["line"].Value, System.Globalization.CultureInfo.InvariantCulture, out var n) ? n : null;
        var user = UserPattern().Match(message) is { Success: true } u ? u.Groups["user"].Value : null;
        return new RetrainFailure(StepWords(step), Cause(kind, message), file, line, user);
    }

    private static string StepWords(string? step) => step switch
    {
        nameof(RetrainActivities.RemoveStaleScratch) => "removing the scratch files of earlier runs",
        nameof(RetrainActivities.PurgeForgotten) => "erasing forgotten users' events",
        nameof(RetrainActivities.ComputeOnlineMetrics) => "computing the online metrics",
        nameof(RetrainActivities.AutoPromoteChallenger) => "promoting the challenger",
        nameof(RetrainActivities.ExpireImpressions) => "deleting old impression logs",
        nameof(RetrainActivities.ListPartitions) => "listing the event logs of the training window",
        nameof(RetrainActivities.Compact) => "reading and validating the event logs",
        nameof(RetrainActivities.BuildDataset) => "building the training data",
        nameof(RetrainActivities.SeedHistories) => "updating users' serving histories",
        nameof(RetrainActivities.Train) => "training the model",
        nameof(RetrainActivities.Evaluate) => "evaluating the candidate against popularity and the live model",
        nameof(RetrainActivities.ExportOnnx) => "exporting the model to ONNX",
        nameof(RetrainActivities.CreateIndex) or nameof(RetrainActivities.IndexItems) => "indexing the items of the new version",
        nameof(RetrainActivities.Activate) => "making the new version live",
        nameof(RetrainActivities.Cleanup) => "deleting old versions",
        nameof(RetrainActivities.WriteRunRecord) => "writing the run record",
        null or "" => "in an unknown step",
        _ => $"in step {step}",
    };

    private static string Cause(string kind, string message)
    {
        bool Has(string text) => message.Contains(text, StringComparison.OrdinalIgnoreCase);
        return kind switch
        {
            "FileNotFoundException" when Has("log blob") => "a log file was deleted or moved while the run was reading it; the next run reads the logs as they are then",
            "FileNotFoundException" when Has("model ") => "files of the exported model were missing when they were read back",
            "FileNotFoundException" => "a working file of the run (a shard, checkpoint or list under runs/work/) was deleted while the run was going on",
            "IOException" when Has("histories of") => "storage refused to save the serving histories of most of the users, which points to a storage outage rather than bad data",
            "IOException" when Has("changed under each of") => "a log file kept changing while forgotten users' lines were being erased from it",
            "IOException" => "storage could not be read or written, even after the retries",
            "InvalidDataException" when Has("not gzip") => "a log file's name ends in .gz but its content is not gzip",
            "InvalidDataException" when Has("header line") || Has("column") => "the header line of a CSV log file could not be used",
            "InvalidDataException" when Has("checkpoint") => "the saved training checkpoint is damaged, so training could not resume from it",
            "InvalidDataException" when Has("shorter than") => "the exported item vectors are shorter than the item list",
            "InvalidDataException" => "a file could not be read in the expected format",
            "ModelIntegrityException" when Has("differs from the trainer") => "the exported ONNX model does not give the trainer's results (parity check), so it was not published",
            "ModelIntegrityException" when Has("does not match") => "a model file does not match the hash recorded when it was written: it was changed or damaged",
            "ModelIntegrityException" => "the exported model is incomplete or damaged",
            "InvalidOperationException" when Has("index of version") => $"the new version's index does not hold every item ({IndexCounts(message)}), so it was not made live",
            "RequestFailedException" => AzureCause(message),
            "BlobConditionFailedException" => "another process changed the same file at the same moment, even after the retries",
            "OutOfMemoryException" => "the instance ran out of memory; lower the training sizes or run on a plan with more memory",
            "TimeoutException" or "TaskCanceledException" or "OperationCanceledException" => "the step took longer than the host allows and was stopped",
            _ => "an unexpected error stopped the step after its retries; the technical detail below says more",
        };
    }

    /// <summary>Records written before the failure's type was kept: the pipeline's own messages tell most kinds apart.</summary>
    private static string GuessKind(string message)
    {
        bool Has(string text) => message.Contains(text, StringComparison.OrdinalIgnoreCase);
        return message switch
        {
            _ when Has("disappeared during the run") || (Has(" is missing") && !Has("artefact")) => "FileNotFoundException",
            _ when Has("histories of") || Has("changed under each of") => "IOException",
            _ when Has("index of version") => "InvalidOperationException",
            _ when Has("SHA-256") || Has("differs from the trainer") => "ModelIntegrityException",
            _ when Has("Status: ") => "RequestFailedException",
            _ => string.Empty,
        };
    }

    private static string IndexCounts(string message) =>
        IndexCountPattern().Match(message) is { Success: true } m ? $"{m.Groups["count"].Value} of {m.Groups["expected"].Value}" : "items are missing";

    private static string AzureCause(string message)
    {
        var status = StatusPattern().Match(message) is { Success: true } m ? int.Parse(m.Groups["status"].Value, System.Globalization.CultureInfo.InvariantCulture) : 0;
        return status switch
        {
            401 or 403 => "an Azure service refused the app's identity (check its role assignments)",
            404 => "an Azure resource the step needs does not exist",
            409 or 412 => "an Azure resource was changed by someone else at the same moment",
            429 or 503 => "an Azure service stayed busy or unavailable through every retry",
            _ => "an Azure service refused a request",
        };
    }

    [GeneratedRegex(@"\b(?<file>(?:events|runs|models|quarantine|catalog|users)/[^\s""'()\[\]<>]+)")]
    private static partial Regex FilePattern();

    [GeneratedRegex(@"\bline (?<line>\d+)")]
    private static partial Regex LinePattern();

    [GeneratedRegex(@"\buser (?<user>[0-9a-f]{8,})\b")]
    private static partial Regex UserPattern();

    [GeneratedRegex(@"holds (?<count>\d+) items, expected (?<expected>\d+)")]
    private static partial Regex IndexCountPattern();

    [GeneratedRegex(@"Status: (?<status>\d{3})")]
    private static partial Regex StatusPattern();
}
