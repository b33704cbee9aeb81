using System.Globalization;
using System.Numerics.Tensors;
using ServerlessRec.Retrieval;

namespace ServerlessRec.Cli.Commands.Bench;

/// <summary>Random normalised vectors for the index benchmarks: uniform, or clustered like trained item vectors.</summary>
internal static class BenchVectors
{
    private static readonly string[] Categories = ["bench"];

    /// <summary><paramref name="count"/> × <paramref name="dim"/> floats, each row a unit vector drawn uniformly from the cube.</summary>
    public static float[] Uniform(int count, int dim, Random random)
    {
        var vectors = new float[(long)count * dim];
        for (var i = 0; i < vectors.Length; i++)
        {
            vectors[i] = random.NextSingle() - 0.5f;
        }

        NormaliseRows(vectors, dim);
        return vectors;
    }

    /// <summary>Unit vectors around <paramref name="clusters"/> random centres (spread 0.35 of a unit centre), as item embeddings tend to be.</summary>
    public static float[] Clustered(int count, int dim, int clusters, Random random)
    {
        var centres = Uniform(clusters, dim, random);
        var vectors = new float[(long)count * dim];
        for (var i = 0; i < count; i++)
        {
            var centre = centres.AsSpan(random.Next(clusters) * dim, dim);
            var row = vectors.AsSpan(i * dim, dim);
            for (var j = 0; j < dim; j++)
            {
                row[j] = centre[j] + (0.35f * Gaussian(random) / MathF.Sqrt(dim));
            }
        }

        NormaliseRows(vectors, dim);
        return vectors;
    }

    /// <summary>Wraps rows as available index items <c>item-0</c>, <c>item-1</c>, … (the rows are not copied).</summary>
    public static List<IndexedItem> Items(float[] vectors, int dim)
    {
        var count = vectors.Length / dim;
        var items = new List<IndexedItem>(count);
        for (var i = 0; i < count; i++)
        {
            items.Add(new IndexedItem("item-" + i.ToString(CultureInfo.InvariantCulture), vectors.AsMemory(i * dim, dim), Categories, Available: true, Popularity: 0));
        }

        return items;
    }

    /// <summary>Splits a row-major matrix into one array per row.</summary>
    public static float[][] Rows(float[] vectors, int dim)
    {
        var rows = new float[vectors.Length / dim][];
        for (var i = 0; i < rows.Length; i++)
        {
            rows[i] = vectors.AsSpan(i * dim, dim).ToArray();
        }

        return rows;
    }

    private static void NormaliseRows(float[] vectors, int dim)
    {
        for (var i = 0; i < vectors.Length / dim; i++)
        {
            var row = vectors.AsSpan(i * dim, dim);
            TensorPrimitives.Divide(row, TensorPrimitives.Norm(row), row);
        }
    }

    private static float Gaussian(Random random) =>
        MathF.Sqrt(-2f * MathF.Log(1f - random.NextSingle())) * MathF.Cos(2f * MathF.PI * random.NextSingle());
}
