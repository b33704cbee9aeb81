using ServerlessRec.Training;

namespace ServerlessRec.Evaluation;

/// <summary>
/// The evaluation protocol's split: per user, the last positive event (by timestamp, then ordinal item id)
/// is TEST, the one before it VALIDATION, the rest TRAIN; users with fewer than 3 positives are dropped.
/// </summary>
public sealed class LeaveLastOutSplit
{
    private LeaveLastOutSplit(int[] users, int[] validationEvent, int[] testEvent, int userCount, InteractionDataset dataset)
    {
        Users = users;
        ValidationEvent = validationEvent;
        TestEvent = testEvent;
        Dataset = dataset;
        TrainEnds = new int[userCount];
        TrainValidationEnds = new int[userCount];
        AllButTestEnds = new int[userCount];
        for (var u = 0; u < userCount; u++)
        {
            AllButTestEnds[u] = dataset.UserOffsets[u + 1] - dataset.UserOffsets[u];
        }

        for (var i = 0; i < users.Length; i++)
        {
            var u = users[i];
            TrainEnds[u] = validationEvent[i] - dataset.UserOffsets[u];
            TrainValidationEnds[u] = testEvent[i] - dataset.UserOffsets[u];
            AllButTestEnds[u] = TrainValidationEnds[u];
        }
    }

    /// <summary>Gets the dataset that was split.</summary>
    public InteractionDataset Dataset { get; }

    /// <summary>Gets the evaluated users (those with at least 3 positives).</summary>
    public int[] Users { get; }

    /// <summary>Gets, per evaluated user, the absolute index of the VALIDATION event.</summary>
    public int[] ValidationEvent { get; }

    /// <summary>Gets, per evaluated user, the absolute index of the TEST event.</summary>
    public int[] TestEvent { get; }

    /// <summary>Gets, per user of the dataset, how many of their events are TRAIN (0 for dropped users).</summary>
    public int[] TrainEnds { get; }

    /// <summary>Gets, per user of the dataset, how many of their events are TRAIN+VALIDATION (0 for dropped users).</summary>
    public int[] TrainValidationEnds { get; }

    /// <summary>
    /// Gets, per user of the dataset, how many of their events come before their TEST event: TRAIN+VALIDATION for the
    /// evaluated users, every event for the users with fewer than 3 positives (they hold no TEST event). What the
    /// retraining ships is trained on this, so the promotion gate can score it on TEST events it never saw.
    /// </summary>
    public int[] AllButTestEnds { get; }

    /// <summary>Returns the split restricted to the evaluated users (by position in <see cref="Users"/>) that pass <paramref name="keep"/>.</summary>
    public LeaveLastOutSplit Subset(Func<int, bool> keep)
    {
        ArgumentNullException.ThrowIfNull(keep);
        var positions = Enumerable.Range(0, Users.Length).Where(keep).ToArray();
        return new LeaveLastOutSplit(
            positions.Select(p => Users[p]).ToArray(),
            positions.Select(p => ValidationEvent[p]).ToArray(),
            positions.Select(p => TestEvent[p]).ToArray(),
            Dataset.UserCount,
            Dataset);
    }

    /// <summary>Splits a dataset.</summary>
    public static LeaveLastOutSplit Create(InteractionDataset dataset)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        var users = new List<int>();
        var validation = new List<int>();
        var test = new List<int>();
        for (var u = 0; u < dataset.UserCount; u++)
        {
            int last = -1, previous = -1, positives = 0;
            for (var e = dataset.UserOffsets[u + 1] - 1; e >= dataset.UserOffsets[u] && positives < 3; e--)
            {
                if (dataset.IsNegative[e])
                {
                    continue;
                }

                positives++;
                if (positives == 1)
                {
                    last = e;
                }
                else if (positives == 2)
                {
                    previous = e;
                }
            }

            if (positives >= 3)
            {
                users.Add(u);
                validation.Add(previous);
                test.Add(last);
            }
        }

        return new LeaveLastOutSplit([.. users], [.. validation], [.. test], dataset.UserCount, dataset);
    }
}
