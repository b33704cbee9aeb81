using System.Buffers.Binary;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;

namespace ServerlessRec.Retrieval;

/// <summary>
/// The coarse quantiser of an <see cref="IvfItemIndex"/>: centroids that split the catalog into lists, the list of
/// every item, and the number of lists a search probes (<see cref="Nprobe"/>), chosen when it was trained so that
/// recall@k on held-out queries reaches <see cref="IvfOptions.TargetRecall"/>. It is trained once per model version
/// (at export) and stored with it as <c>ivf.bin</c>.
/// </summary>
public sealed class IvfQuantiser
{
    private const uint Magic = 0x46564952; // "RIVF" little-endian
    private const int FormatVersion = 1;
    private const int HeaderBytes = 32;

    private readonly float[] _centroids;
    private readonly int[] _lists;

    private IvfQuantiser(int dimensions, float[] centroids, int[] lists, int nprobe, float calibrationRecall)
    {
        Dimensions = dimensions;
        _centroids = centroids;
        _lists = lists;
        ListCount = centroids.Length / dimensions;
        Nprobe = nprobe;
        CalibrationRecall = calibrationRecall;
    }

    /// <summary>Gets the vector dimension.</summary>
    public int Dimensions { get; }

    /// <summary>Gets the number of lists (centroids).</summary>
    public int ListCount { get; }

    /// <summary>Gets the number of items the lists hold.</summary>
    public int ItemCount => _lists.Length;

    /// <summary>Gets how many lists a search probes: the fewest that reached the target recall on held-out queries.</summary>
    public int Nprobe { get; }

    /// <summary>Gets the share of the held-out queries' exact top k that the probed lists held at <see cref="Nprobe"/>.</summary>
    public float CalibrationRecall { get; }

    /// <summary>Gets the centroids, [ListCount × Dimensions] row-major, each a unit vector.</summary>
    public ReadOnlySpan<float> Centroids => _centroids;

    /// <summary>Gets the list of each item row.</summary>
    public ReadOnlySpan<int> Lists => _lists;

    /// <summary>
    /// Trains the quantiser on the vectors of <paramref name="index"/>: two-level spherical k-means (√L coarse
    /// clusters, then each split in proportion to its size, both on samples) into about
    /// <see cref="IvfOptions.ListsPerRootItem"/> × √N lists (fewer where <see cref="IvfOptions.MaxMemoryRatio"/> caps them), then picks <see cref="Nprobe"/> from held-out item vectors
    /// (their own row excluded from their neighbours) and <paramref name="queries"/> (e.g. real user vectors).
    /// Deterministic for a given <see cref="IvfOptions.Seed"/>.
    /// </summary>
    public static IvfQuantiser Train(EmbeddedItemIndex index, IReadOnlyList<float[]>? queries = null, IvfOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(index);
        options ??= new IvfOptions();
        var n = index.Count;
        var d = index.Dimensions;
        if (n == 0)
        {
            throw new ArgumentException("an empty index has nothing to quantise", nameof(index));
        }

        var threads = options.MaxDegreeOfParallelism == 0 ? Environment.ProcessorCount : options.MaxDegreeOfParallelism;
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = threads };
        var random = new Random(options.Seed);
        var vectors = index.VectorMemory;
        var target = Math.Clamp(Math.Min((int)Math.Round(options.ListsPerRootItem * Math.Sqrt(n)), MaxListsWithin(options.MaxMemoryRatio, n, d)), 1, Math.Max(1, n / 4));
        var coarseCount = Math.Max(1, (int)Math.Round(Math.Sqrt(target)));

        // Level 1: coarse clusters on a sample, then every item to its coarse cluster.
        var coarse = KMeans(vectors, d, Sample(n, Math.Min(n, options.SamplePerCentroid * 4 * coarseCount), random), coarseCount, options.Iterations, random, parallel);
        var coarseOf = Assign(vectors, d, Enumerable.Range(0, n).ToArray(), coarse, parallel);
        var members = new List<int>[coarse.Length / d];
        for (var c = 0; c < members.Length; c++)
        {
            members[c] = [];
        }

        for (var i = 0; i < n; i++)
        {
            members[coarseOf[i]].Add(i);
        }

        // Level 2: each coarse cluster split into lists in proportion to its size, each with its own seeded generator
        // so that the result does not depend on which thread ran it.
        var leaves = new float[members.Length][];
        var leafOf = new int[n];
        Parallel.For(0, members.Length, parallel, c =>
        {
            var rows = members[c].ToArray();
            if (rows.Length == 0)
            {
                leaves[c] = [];
                return;
            }

            var k = Math.Clamp((int)Math.Round((double)target * rows.Length / n), 1, rows.Length);
            var local = new Random(unchecked((options.Seed * 1_000_003) + c));
            var sample = rows.Length <= options.SamplePerCentroid * k ? rows : Sample(rows, options.SamplePerCentroid * k, local);
            var centroids = KMeans(vectors, d, sample, k, options.Iterations, local, new ParallelOptions { MaxDegreeOfParallelism = 1 });
            var assigned = Assign(vectors, d, rows, centroids, new ParallelOptions { MaxDegreeOfParallelism = 1 });
            for (var r = 0; r < rows.Length; r++)
            {
                leafOf[rows[r]] = assigned[r];
            }

            leaves[c] = centroids;
        });

        // Number the non-empty leaves globally.
        var all = new List<float>();
        var lists = new int[n];
        var numbering = new int[members.Length][];
        var used = new bool[members.Length][];
        for (var c = 0; c < members.Length; c++)
        {
            used[c] = new bool[leaves[c].Length / d];
            foreach (var row in members[c])
            {
                used[c][leafOf[row]] = true;
            }

            numbering[c] = new int[used[c].Length];
            for (var l = 0; l < used[c].Length; l++)
            {
                if (used[c][l])
                {
                    numbering[c][l] = all.Count / d;
                    all.AddRange(leaves[c].AsSpan(l * d, d).ToArray());
                }
            }
        }

        for (var i = 0; i < n; i++)
        {
            lists[i] = numbering[coarseOf[i]][leafOf[i]];
        }

        var centroidsAll = all.ToArray();
        var (nprobe, recall) = Calibrate(index, centroidsAll, lists, queries, options, random, parallel);
        return new IvfQuantiser(d, centroidsAll, lists, nprobe, recall);
    }

    /// <summary>
    /// The most lists whose centroids (half precision, as <see cref="IvfItemIndex"/> holds them) and offsets, with the 4-byte row map of every item, keep an
    /// <see cref="IvfItemIndex"/> of <paramref name="items"/> × <paramref name="dimensions"/> within
    /// <paramref name="maxMemoryRatio"/> × its int8 codes; <see cref="int.MaxValue"/> (no cap) when even √N lists do
    /// not fit, as at small dimensions where the row map alone exceeds the budget: fewer lists would then cost speed
    /// and still miss it.
    /// </summary>
    internal static int MaxListsWithin(double maxMemoryRatio, int items, int dimensions)
    {
        // codes n·d, row map 4n, half-precision centroids 2·L·d, offsets 4(L + 1): (4n + 2Ld + 4L + 4) / (n·d) ≤ ratio − 1.
        var budget = ((maxMemoryRatio - 1) * items * dimensions) - (4.0 * items) - 4;
        var lists = budget <= 0 ? 0 : Math.Floor(budget / ((2.0 * dimensions) + 4));
        return lists < Math.Sqrt(items) ? int.MaxValue : (int)Math.Min(int.MaxValue, lists);
    }

    /// <summary>Serialises the quantiser (little-endian: header, centroids, the list of each item).</summary>
    public byte[] ToBytes()
    {
        var bytes = new byte[HeaderBytes + (_centroids.Length * sizeof(float)) + (_lists.Length * sizeof(int))];
        var span = bytes.AsSpan();
        BinaryPrimitives.WriteUInt32LittleEndian(span, Magic);
        BinaryPrimitives.WriteInt32LittleEndian(span[4..], FormatVersion);
        BinaryPrimitives.WriteInt32LittleEndian(span[8..], Dimensions);
        BinaryPrimitives.WriteInt32LittleEndian(span[12..], ListCount);
        BinaryPrimitives.WriteInt32LittleEndian(span[16..], ItemCount);
        BinaryPrimitives.WriteInt32LittleEndian(span[20..], Nprobe);
        BinaryPrimitives.WriteSingleLittleEndian(span[24..], CalibrationRecall);
        MemoryMarshal.AsBytes(_centroids.AsSpan()).CopyTo(span[HeaderBytes..]);
        MemoryMarshal.AsBytes(_lists.AsSpan()).CopyTo(span[(HeaderBytes + (_centroids.Length * sizeof(float)))..]);
        return bytes;
    }

    /// <summary>Reads a quantiser written by <see cref="ToBytes"/> for a catalog of <paramref name="itemCount"/> items of <paramref name="dimensions"/>.</summary>
    /// <exception cref="InvalidDataException">The bytes are not such a quantiser, or one for another catalog.</exception>
    public static IvfQuantiser Read(ReadOnlySpan<byte> bytes, int itemCount, int dimensions)
    {
        if (!BitConverter.IsLittleEndian)
        {
            throw new PlatformNotSupportedException("ivf.bin is little-endian; this machine is big-endian.");
        }

        if (bytes.Length < HeaderBytes || BinaryPrimitives.ReadUInt32LittleEndian(bytes) != Magic || BinaryPrimitives.ReadInt32LittleEndian(bytes[4..]) != FormatVersion)
        {
            throw new InvalidDataException("not an IVF quantiser (bad header)");
        }

        var d = BinaryPrimitives.ReadInt32LittleEndian(bytes[8..]);
        var lists = BinaryPrimitives.ReadInt32LittleEndian(bytes[12..]);
        var items = BinaryPrimitives.ReadInt32LittleEndian(bytes[16..]);
        var nprobe = BinaryPrimitives.ReadInt32LittleEndian(bytes[20..]);
        var recall = BinaryPrimitives.ReadSingleLittleEndian(bytes[24..]);
        if (d != dimensions || items != itemCount)
        {
            throw new InvalidDataException($"the IVF quantiser is for {items} items of dimension {d}, the model has {itemCount} of dimension {dimensions}");
        }

        if (lists < 1 || nprobe < 1 || nprobe > lists || bytes.Length != HeaderBytes + ((long)lists * d * sizeof(float)) + ((long)items * sizeof(int)))
        {
            throw new InvalidDataException($"the IVF quantiser's header ({lists} lists, nprobe {nprobe}) does not match its {bytes.Length} bytes");
        }

        var centroids = MemoryMarshal.Cast<byte, float>(bytes.Slice(HeaderBytes, lists * d * sizeof(float))).ToArray();
        var assigned = MemoryMarshal.Cast<byte, int>(bytes[(HeaderBytes + (lists * d * sizeof(float)))..]).ToArray();
        foreach (var list in assigned)
        {
            if ((uint)list >= (uint)lists)
            {
                throw new InvalidDataException($"the IVF quantiser assigns an item to list {list} of {lists}");
            }
        }

        return new IvfQuantiser(d, centroids, assigned, nprobe, recall);
    }

    /// <summary>Spherical k-means (dot-product assignment, unit centroids) of the <paramref name="rows"/> of <paramref name="vectors"/>.</summary>
    private static float[] KMeans(ReadOnlyMemory<float> vectors, int d, int[] rows, int k, int iterations, Random random, ParallelOptions parallel)
    {
        k = Math.Min(k, rows.Length);
        var points = new float[rows.Length * d];
        for (var r = 0; r < rows.Length; r++)
        {
            vectors.Span.Slice(rows[r] * d, d).CopyTo(points.AsSpan(r * d, d));
        }

        var centroids = new float[k * d];
        var seeds = Sample(rows.Length, k, random);
        for (var c = 0; c < k; c++)
        {
            points.AsSpan(seeds[c] * d, d).CopyTo(centroids.AsSpan(c * d, d));
        }

        var local = Enumerable.Range(0, rows.Length).ToArray();
        var sums = new double[k * d];
        var counts = new int[k];
        for (var iteration = 0; iteration < iterations; iteration++)
        {
            var assigned = Assign(points, d, local, centroids, parallel);
            Array.Clear(sums);
            Array.Clear(counts);
            for (var r = 0; r < rows.Length; r++)
            {
                var c = assigned[r];
                counts[c]++;
                var point = points.AsSpan(r * d, d);
                var sum = sums.AsSpan(c * d, d);
                for (var j = 0; j < d; j++)
                {
                    sum[j] += point[j];
                }
            }

            for (var c = 0; c < k; c++)
            {
                var centroid = centroids.AsSpan(c * d, d);
                if (counts[c] == 0)
                {
                    // An empty cluster restarts at a random point rather than staying dead.
                    points.AsSpan(random.Next(rows.Length) * d, d).CopyTo(centroid);
                    continue;
                }

                for (var j = 0; j < d; j++)
                {
                    centroid[j] = (float)sums[(c * d) + j];
                }

                Normalise(centroid);
            }
        }

        return centroids;
    }

    /// <summary>The centroid of highest dot product for each of <paramref name="rows"/>.</summary>
    private static int[] Assign(ReadOnlyMemory<float> vectors, int d, int[] rows, float[] centroids, ParallelOptions parallel)
    {
        var k = centroids.Length / d;
        var assigned = new int[rows.Length];
        const int Chunk = 1024;
        var chunks = (rows.Length + Chunk - 1) / Chunk;
        if (parallel.MaxDegreeOfParallelism == 1 || chunks == 1)
        {
            AssignRange(vectors.Span, d, rows, centroids, k, assigned, 0, rows.Length);
            return assigned;
        }

        Parallel.For(0, chunks, parallel, c => AssignRange(vectors.Span, d, rows, centroids, k, assigned, c * Chunk, Math.Min(rows.Length, (c + 1) * Chunk)));
        return assigned;
    }

    private static void AssignRange(ReadOnlySpan<float> vectors, int d, int[] rows, float[] centroids, int k, int[] assigned, int start, int end)
    {
        for (var r = start; r < end; r++)
        {
            var point = vectors.Slice(rows[r] * d, d);
            var best = 0;
            var bestScore = float.NegativeInfinity;
            for (var c = 0; c < k; c++)
            {
                var score = TensorPrimitives.Dot(point, centroids.AsSpan(c * d, d));
                if (score > bestScore)
                {
                    bestScore = score;
                    best = c;
                }
            }

            assigned[r] = best;
        }
    }

    /// <summary>
    /// The fewest lists whose probe holds <see cref="IvfOptions.TargetRecall"/> of the held-out queries' exact top k:
    /// for every (query, true neighbour) pair, the rank of the neighbour's list among the lists ordered by centroid
    /// score; nprobe is the rank that covers the target share of pairs.
    /// </summary>
    private static (int Nprobe, float Recall) Calibrate(EmbeddedItemIndex index, float[] centroids, int[] lists, IReadOnlyList<float[]>? queries, IvfOptions options, Random random, ParallelOptions parallel)
    {
        var d = index.Dimensions;
        var listCount = centroids.Length / d;
        var k = options.CalibrationK;
        var calibration = new List<(float[] Query, int Self)>();
        foreach (var row in Sample(index.Count, Math.Min(index.Count, options.CalibrationItems), random))
        {
            calibration.Add((index.VectorOf(row).ToArray(), row));
        }

        foreach (var query in queries ?? [])
        {
            if (query.Length != d)
            {
                throw new ArgumentException($"a calibration query has {query.Length} values, expected {d}", nameof(queries));
            }

            calibration.Add((query, -1));
        }

        var all = new ItemFilter { AvailableOnly = false };
        var ranks = new List<int>[calibration.Count];
        Parallel.For(0, calibration.Count, parallel, q =>
        {
            var (query, self) = calibration[q];
            var order = new int[listCount];
            var scores = new float[listCount];
            for (var c = 0; c < listCount; c++)
            {
                order[c] = c;
                scores[c] = -TensorPrimitives.Dot(query, centroids.AsSpan(c * d, d));
            }

            Array.Sort(scores, order);
            var rankOf = new int[listCount];
            for (var r = 0; r < listCount; r++)
            {
                rankOf[order[r]] = r;
            }

            ranks[q] = [];
            foreach (var hit in index.Search(query, k + (self >= 0 ? 1 : 0), all))
            {
                var row = index.RowOf(hit.ItemId);
                if (row != self && ranks[q].Count < k)
                {
                    ranks[q].Add(rankOf[lists[row]]);
                }
            }
        });

        var pooled = ranks.SelectMany(r => r).Order().ToArray();
        if (pooled.Length == 0)
        {
            return (1, 1f);
        }

        var needed = Math.Clamp((int)Math.Ceiling(options.TargetRecall * pooled.Length), 1, pooled.Length);
        var nprobe = Math.Clamp(pooled[needed - 1] + 1, 1, listCount);
        var covered = pooled.Count(r => r < nprobe);
        return (nprobe, (float)covered / pooled.Length);
    }

    private static int[] Sample(int n, int count, Random random)
    {
        // A partial Fisher–Yates shuffle: distinct rows, in a deterministic order for a given generator.
        var rows = Enumerable.Range(0, n).ToArray();
        return Sample(rows, count, random);
    }

    private static int[] Sample(int[] rows, int count, Random random)
    {
        var copy = (int[])rows.Clone();
        count = Math.Min(count, copy.Length);
        for (var i = 0; i < count; i++)
        {
            var j = random.Next(i, copy.Length);
            (copy[i], copy[j]) = (copy[j], copy[i]);
        }

        return copy[..count];
    }

    private static void Normalise(Span<float> vector)
    {
        var norm = TensorPrimitives.Norm(vector);
        if (norm > 0)
        {
            TensorPrimitives.Divide(vector, norm, vector);
        }
    }
}
