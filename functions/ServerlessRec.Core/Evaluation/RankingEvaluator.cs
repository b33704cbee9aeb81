using ServerlessRec.Training;

namespace ServerlessRec.Evaluation;

/// <summary>
/// Ranks all items for every evaluated user and scores the held-out item (design.md, "Evaluation protocol"):
/// items of the user's input history are excluded; ties count against the held-out item. A held-out event whose
/// item is already in the user's history is not a target (<see cref="IsTarget"/>): the user is left out of that
/// held-out slice and counted in <see cref="RankingMetrics.RepeatTargetsDropped"/>.
/// </summary>
public static class RankingEvaluator
{
    /// <summary>Evaluates a scorer on the validation or test events of a split.</summary>
    public static RankingMetrics Evaluate(LeaveLastOutSplit split, HeldOut heldOut, IRankingScorer scorer, int threads = 0)
    {
        ArgumentNullException.ThrowIfNull(split);
        ArgumentNullException.ThrowIfNull(scorer);
        var data = split.Dataset;
        var users = split.Users;
        var targets = heldOut == HeldOut.Validation ? split.ValidationEvent : split.TestEvent;
        var rows = data.ItemIds.Count;
        var kept = new bool[users.Length];
        var rejectedInTop = new int[users.Length];
        var ranks = new int[users.Length];
        var topItems = new int[users.Length * 10];
        var options = new ParallelOptions { MaxDegreeOfParallelism = threads > 0 ? threads : Environment.ProcessorCount };
        Parallel.For(
            0,
            users.Length,
            options,
            () => (Session: scorer.CreateSession(), Scores: new float[rows], Excluded: new bool[rows], Top: new int[10]),
            (index, _, local) =>
            {
                var u = users[index];
                var start = data.UserOffsets[u];
                var target = targets[index];
                var targetItem = data.EventItems[target];
                if (!IsTarget(data, start, target))
                {
                    return local;
                }

                kept[index] = true;
                local.Session.Score(start, target, local.Scores);
                for (var e = start; e < target; e++)
                {
                    local.Excluded[data.EventItems[e]] = true;
                }

                local.Excluded[0] = true;
                ranks[index] = Rank(local.Scores, local.Excluded, targetItem);
                TopTen(local.Scores, local.Excluded, local.Top);
                local.Top.CopyTo(topItems, index * 10);
                rejectedInTop[index] = CountRejected(data, start, data.UserOffsets[u + 1], local.Top);
                for (var e = start; e < target; e++)
                {
                    local.Excluded[data.EventItems[e]] = false;
                }

                return local;
            },
            _ => { });

        var keptRanks = new List<int>(users.Length);
        long rejected = 0;
        var keptTop = new List<int>(users.Length * 10);
        for (var i = 0; i < users.Length; i++)
        {
            if (kept[i])
            {
                keptRanks.Add(ranks[i]);
                rejected += rejectedInTop[i];
                keptTop.AddRange(topItems.AsSpan(i * 10, 10));
            }
        }

        return Summarise([.. keptRanks], [.. keptTop], data.ItemCount) with
        {
            RepeatTargetsDropped = users.Length - keptRanks.Count,
            RejectedShareAt10 = keptRanks.Count == 0 ? 0 : rejected / (10.0 * keptRanks.Count),
        };
    }

    /// <summary>
    /// The evaluation's target rule: a held-out positive is a target only when its item is not among the user's earlier
    /// events [<paramref name="userStart"/>, <paramref name="heldOutEvent"/>) of any type. Serving never shows such an
    /// item (negative items always, seen items with <c>excludeSeen</c>, the default), so ranking it would reward a
    /// scorer that echoes the history with hits no user can get.
    /// </summary>
    public static bool IsTarget(InteractionDataset data, int userStart, int heldOutEvent)
    {
        ArgumentNullException.ThrowIfNull(data);
        var item = data.EventItems[heldOutEvent];
        return data.EventItems.AsSpan(userStart, heldOutEvent - userStart).IndexOf(item) < 0;
    }

    /// <summary>The held-out item's rank: the number of other candidates scoring at least as high.</summary>
    internal static int Rank(ReadOnlySpan<float> scores, ReadOnlySpan<bool> excluded, int target)
    {
        var score = scores[target];
        var rank = 0;
        for (var i = 1; i < scores.Length; i++)
        {
            if (i != target && !excluded[i] && !(scores[i] < score))
            {
                rank++;
            }
        }

        return rank;
    }

    /// <summary>
    /// How many of the top items the user rejects (a negative event) anywhere in their events: the rejections before the
    /// cut are excluded from ranking, so these are the rejections still to come.
    /// </summary>
    private static int CountRejected(InteractionDataset data, int userStart, int userEnd, ReadOnlySpan<int> top)
    {
        var count = 0;
        foreach (var item in top)
        {
            for (var e = userStart; e < userEnd && item > 0; e++)
            {
                if (data.IsNegative[e] && data.EventItems[e] == item)
                {
                    count++;
                    break;
                }
            }
        }

        return count;
    }

    private static void TopTen(ReadOnlySpan<float> scores, ReadOnlySpan<bool> excluded, Span<int> top)
    {
        // Insertion into a sorted list of 10: ties keep the lower item index first.
        var count = 0;
        top.Clear();
        for (var i = 1; i < scores.Length; i++)
        {
            if (excluded[i])
            {
                continue;
            }

            var s = scores[i];
            if (count == top.Length && !(s > scores[top[count - 1]]))
            {
                continue;
            }

            var position = Math.Min(count, top.Length - 1);
            while (position > 0 && s > scores[top[position - 1]])
            {
                top[position] = top[position - 1];
                position--;
            }

            top[position] = i;
            count = Math.Min(count + 1, top.Length);
        }
    }

    private static RankingMetrics Summarise(int[] ranks, int[] topItems, int catalogSize)
    {
        if (ranks.Length == 0)
        {
            return new RankingMetrics();
        }

        double hr10 = 0, hr20 = 0, ndcg10 = 0, ndcg20 = 0, mrr = 0;
        foreach (var rank in ranks)
        {
            var gain = 1.0 / Math.Log2(rank + 2);
            if (rank < 10)
            {
                hr10++;
                ndcg10 += gain;
            }

            if (rank < 20)
            {
                hr20++;
                ndcg20 += gain;
            }

            mrr += 1.0 / (rank + 1);
        }

        var distinct = new HashSet<int>(topItems.Where(i => i > 0));
        var n = ranks.Length;
        return new RankingMetrics
        {
            Users = n,
            HitRateAt10 = hr10 / n,
            HitRateAt20 = hr20 / n,
            NdcgAt10 = ndcg10 / n,
            NdcgAt20 = ndcg20 / n,
            Mrr = mrr / n,
            CoverageAt10 = catalogSize == 0 ? 0 : (double)distinct.Count / catalogSize,
        };
    }
}
